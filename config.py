"""Configuration classes for confapp.

Every key can be overridden from the environment as ``CONFAPP_<KEY>`` (values are
parsed as JSON when they look like JSON, so ``CONFAPP_RATELIMIT_ENABLED=false`` works).
``CONFAPP_DATABASE_URL``, ``CONFAPP_SECRET_KEY`` and ``CONFAPP_MAIL_URL`` are the ones a
deployment sets.
"""

from __future__ import annotations

import os

# Published here, so only for development: create_app() refuses it unless development was
# chosen on purpose (CONFAPP_ENV=development, `confapp demo`, the tests).
DEVELOPMENT_SECRET_KEY = "dev-only-insecure-key-change-me"  # noqa: S105


class Config:
    """Defaults shared by every environment."""

    SECRET_KEY = DEVELOPMENT_SECRET_KEY
    # None means: a SQLite file in the instance folder (resolved in create_app).
    DATABASE_URL: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    # SMTP URL such as smtp://user:pass@host:587/?starttls=1; None writes .eml files
    # to the instance outbox.
    MAIL_URL: str | None = None
    MAIL_SENDER = "confapp <no-reply@confapp.local>"
    # Delivery of the outbox (confapp.mail.delivery): messages per batch (one connection),
    # the first retry delay after a temporary failure (doubling up to MAIL_RETRY_MAX_DELAY),
    # how long temporary failures are retried, when a batch whose worker died is handed
    # back, and the SMTP timeout, all in seconds.
    MAIL_BATCH_SIZE = 100
    MAIL_RETRY_BASE = 60
    MAIL_RETRY_MAX_DELAY = 1800
    MAIL_RETRY_FOR = 3 * 3600
    MAIL_CLAIM_TIMEOUT = 600
    MAIL_TIMEOUT = 30
    # Organisers' announcements are handed to the outbox no faster than this (a relay's
    # quota is usually per minute; service messages are never held back).
    COMMS_RATE_PER_MINUTE = 120
    # Background jobs (confapp.jobs): None is a SQLite file in the instance folder;
    # sqlite:///path for another file; redis://host:port/db when several servers share
    # the work. JOBS_IMMEDIATE runs every job at once in the caller (unit tests).
    JOBS_URL: str | None = None
    JOBS_IMMEDIATE = False
    # Result files of jobs (badge PDFs, import reports): None is instance/jobs/; kept this
    # many seconds after the job ends.
    JOBS_RESULTS_DIR: str | None = None
    JOBS_RESULT_TTL = 24 * 3600
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = "10 per minute;50 per hour"
    # Registration: per client (a venue's desk shares one address, so it is generous)
    # and per e-mail address typed (each answer says whether it has an account).
    REGISTER_RATE_LIMIT = "30 per minute;300 per hour"
    REGISTER_ADDRESS_RATE_LIMIT = "5 per 10 minutes;20 per day"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None
    # The one source of absolute links and calendar UIDs (e-mails, feeds, PDFs, QR codes),
    # in a request or not; the request's Host header is never used for them. None means
    # http://localhost:5000 (`confapp demo` uses its own address), and production warns.
    BASE_URL: str | None = None
    # Never set: Flask would then refuse requests for any other host name.
    SERVER_NAME: str | None = None
    PREFERRED_URL_SCHEME = "http"
    EMAIL_TOKEN_MAX_AGE = 3 * 24 * 3600
    PASSWORD_RESET_MAX_AGE = 2 * 3600
    # A reset asked again within this many seconds e-mails nothing new: the link already
    # sent still works (a repeated or concurrent request sends one e-mail).
    PASSWORD_RESET_RESEND_AFTER = 10 * 60
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024
    # Uploaded logos and signatures (never under static/); None: instance/uploads.
    UPLOAD_FOLDER: str | None = None
    # Fonts for PDFs (visa letters, badges); a TTF covering the scripts in use.
    PDF_FONT: str | None = None
    PRODUCTION = False
    # Static files under content-hashed names, compressed, cached for a year and served by
    # WhiteNoise (confapp.assets); None means on unless debugging. Built at start into
    # STATIC_BUILD_DIR (None: the instance folder's static/).
    STATIC_HASHED: bool | None = None
    STATIC_BUILD_DIR: str | None = None
    # Languages the site offers (CONFAPP_LANGUAGES="en,fr,es,pt,ar"); each event picks its
    # default and offered languages among them.
    LANGUAGES = "en,fr,es,pt,ar"


class DevelopmentConfig(Config):
    """Local development and the demo."""

    DEBUG = False


class TestingConfig(Config):
    """pytest: CSRF off by default (one test module turns it on), no rate limit noise."""

    TESTING = True
    WTF_CSRF_ENABLED = False
    SECRET_KEY = "testing-secret-key"  # noqa: S105
    DATABASE_URL = os.environ.get("TEST_DATABASE_URL") or "sqlite://"
    RATELIMIT_ENABLED = False
    SERVER_NAME = None
    BASE_URL = "http://localhost"  # the test client's own address
    # Jobs run at once, in the caller's thread (tests of a real worker turn this off).
    JOBS_IMMEDIATE = True


class ProductionConfig(Config):
    """gunicorn behind a TLS-terminating proxy: secure cookies, a real secret required."""

    SECRET_KEY = None
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    PRODUCTION = True


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
