"""The small register_* steps create_app() is made of."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from flask import abort
from flask import jsonify
from flask import render_template
from flask import request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from werkzeug.routing import IntegerConverter

from confapp import i18n
from confapp import mail
from confapp.db import MAX_ID
from confapp.errors import DomainError
from confapp.extensions import csrf
from confapp.extensions import db
from confapp.extensions import limiter
from confapp.extensions import login_manager
from confapp.extensions import migrate
from confapp.i18n import N_
from confapp.jobs import engine as jobs_engine
from confapp.web.headers import add_security_headers
from confapp.web.headers import security_headers  # noqa: F401 - older imports of it here


class IdConverter(IntegerConverter):
    """`<int:...>` limited to ids a row can have: larger numbers are a 404, not a database error."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


# The project folder (templates/, static/, migrations/ live beside the package); computed
# here rather than imported from confapp, which imports this module.
ROOT = Path(__file__).resolve().parent.parent


def register_extensions(app: Flask) -> None:
    """Bind extensions to the app."""
    import confapp.models  # noqa: F401 - every model must be known to Alembic

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = N_("Please sign in to continue.")
    # Flask-Login flashes login_message through this, in the reader's language.
    login_manager.localize_callback = gettext
    login_manager.login_message_category = "info"
    mail.init_app(app)
    i18n.init_app(app)
    jobs_engine.init_app(app)

    from confapp.accounts.models import User

    @login_manager.user_loader
    def load_user(session_id: str) -> User | None:
        user_id, _, version = session_id.partition(":")
        if not user_id.isdigit():
            return None
        user = db.session.get(User, int(user_id))
        if user is None or str(user.auth_version) != version:
            return None
        return user

    # The request plumbing (web.lifecycle, api.auth) imports no feature: it is told here how
    # a URL's slug names an event and a bearer token its owner.
    from confapp.accounts.services import user_for_api_token
    from confapp.api.auth import use_token_loader
    from confapp.events.services import event_for_viewer
    from confapp.web.lifecycle import use_event_loader

    use_event_loader(event_for_viewer)
    use_token_loader(user_for_api_token)
    # The jobs' periodic sweep also recovers and restarts mail delivery.
    from confapp.jobs.housekeeping import also_sweep
    from confapp.mail import delivery

    also_sweep(delivery.sweep)
    # The account pages show what registration, above accounts, knows.
    from confapp.accounts import places
    from confapp.registration.delegates import landing
    from confapp.registration.delegates import registrations_of

    places.provide(landing=landing, registrations_of=registrations_of)

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            tune_sqlite(db.engine)


def tune_sqlite(engine: sa.Engine) -> None:
    """WAL lets readers work beside a writer; a busy timeout makes writers queue.

    With WAL, synchronous=NORMAL syncs at checkpoints instead of at every commit: the
    database cannot be corrupted, but a power cut may lose the last commits (an
    application crash loses nothing). That is SQLite's own advice for WAL, and what keeps
    a door scanner's commit off the disk's fsync latency; PostgreSQL is the production
    choice where every commit must survive a power cut.
    """

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def register_blueprints(app: Flask) -> None:
    """Mount every feature's blueprint."""
    # Before any rule is added: every <int:...> in a URL is an id.
    app.url_map.converters["int"] = IdConverter
    # Modules adding routes to a blueprint defined elsewhere: the events blueprint (an
    # event's pages, its team) and the agenda's (organisers' tools).
    import confapp.accounts.team_views  # noqa: F401
    import confapp.agenda.manage_views  # noqa: F401
    import confapp.registration.event_views  # noqa: F401
    from confapp.accounts.views import bp as accounts_bp
    from confapp.agenda.api import agenda_api
    from confapp.agenda.views import bp as agenda_bp
    from confapp.api.views import bp as api_bp
    from confapp.documents.views import bp as documents_bp
    from confapp.events.log_views import bp as eventlog_bp
    from confapp.events.views import bp as events_bp
    from confapp.jobs.views import bp as jobs_bp
    from confapp.mail.views import bp as mail_bp
    from confapp.registration.views import bp as registration_bp
    from confapp.visa.views import bp as visa_bp

    for bp in (
        accounts_bp,
        events_bp,
        registration_bp,
        visa_bp,
        agenda_bp,
        eventlog_bp,
        documents_bp,
        mail_bp,
        jobs_bp,
    ):
        app.register_blueprint(bp)
    app.register_blueprint(agenda_api, url_prefix="/api/v1")
    csrf.exempt(agenda_api)
    # Cluster visits: pages, read-only API, and their entries in personal agendas.
    from confapp.visits.api import visits_api
    from confapp.visits.ical import register_personal as register_visit_entries
    from confapp.visits.views import bp as visits_bp

    app.register_blueprint(visits_bp)
    app.register_blueprint(visits_api, url_prefix="/api/v1")
    csrf.exempt(visits_api)
    register_visit_entries()
    # Features that hold seats for a registration release them when it ends.
    from confapp.agenda import services as agenda_services
    from confapp.registration.leave import on_leave
    from confapp.visits import services as visit_services

    on_leave("sessions", agenda_services.release_seats_of, agenda_services.describe_seats_of)
    on_leave("visits", visit_services.release_seats_of, visit_services.describe_seats_of)
    # Networking meetings: pages, organiser API, and their entries in personal agendas. The
    # organisers' pages and the downloads add routes to the blueprint of meetings.views.
    import confapp.meetings.download_views  # noqa: F401
    import confapp.meetings.manage_views  # noqa: F401
    from confapp.meetings import requests as meeting_requests
    from confapp.meetings.api import meetings_api
    from confapp.meetings.personal import register_personal as register_meeting_entries
    from confapp.meetings.views import bp as meetings_bp

    app.register_blueprint(meetings_bp)
    app.register_blueprint(meetings_api, url_prefix="/api/v1")
    csrf.exempt(meetings_api)
    register_meeting_entries()
    on_leave(
        "meetings", meeting_requests.release_meetings_of, meeting_requests.describe_meetings_of
    )
    # Badges and check-in: delegate/organiser pages, the scanner and the check-in API.
    from confapp.badges.views import bp as badges_bp
    from confapp.checkin.api import checkin_api
    from confapp.checkin.views import bp as checkin_bp

    app.register_blueprint(badges_bp)
    app.register_blueprint(checkin_bp)
    app.register_blueprint(checkin_api, url_prefix="/api/v1")
    csrf.exempt(checkin_api)  # session writes are CSRF-checked in confapp.api.auth
    # Registrations for organisers' tools (read-only; links to the badge QR PNG above).
    from confapp.registration.api import registrations_api

    app.register_blueprint(registrations_api, url_prefix="/api/v1")
    csrf.exempt(registrations_api)
    # Analytics: the organiser dashboard, its CSVs, the funders' report and the stats API.
    from confapp.analytics.api import analytics_api
    from confapp.analytics.views import bp as analytics_bp

    app.register_blueprint(analytics_bp)
    app.register_blueprint(analytics_api, url_prefix="/api/v1")
    csrf.exempt(analytics_api)
    # Organiser communications: compose, record, announcements, unsubscribe, API.
    from confapp.comms import views as comms_views
    from confapp.comms.api import comms_api

    app.register_blueprint(comms_views.bp)
    # RFC 8058: mail clients POST the one-click unsubscribe without any page or cookie;
    # the signed token in the URL is what authorises it.
    csrf.exempt(comms_views.unsubscribe)
    comms_views.register_template_helpers(app)
    app.register_blueprint(comms_api, url_prefix="/api/v1")
    csrf.exempt(comms_api)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    # Bearer-token API clients send no CSRF token; session-authenticated API writes
    # are checked inside the API blueprint instead.
    csrf.exempt(api_bp)
    from confapp.events.api import events_api

    app.register_blueprint(events_api, url_prefix="/api/v1")
    csrf.exempt(events_api)


def _is_unique_violation(error: IntegrityError) -> bool:
    """Whether a database error is a duplicate of a unique key (PostgreSQL or SQLite)."""
    code = getattr(error.orig, "sqlstate", None)
    if code is not None:
        return code == "23505"
    return "UNIQUE constraint failed" in str(error.orig)


NUL_REFUSAL = N_("Text cannot contain NUL (0x00) characters.")


def _allow(error, answer):
    """A 405 says which methods the address does accept (RFC 9110 requires Allow)."""
    body, status = answer
    methods = sorted(getattr(error, "valid_methods", None) or [])
    return body, status, {"Allow": ", ".join(methods)} if methods else {}


def register_errorhandlers(app: Flask) -> None:
    """Friendly error pages in the reader's language, JSON for the API."""

    def _render(status: int, title: str, message: str):
        # `title` and `message` arrive marked (N_) but untranslated: the API's "error" stays
        # the English title other programs match on, its "message" and the page are translated.
        if request.path.startswith("/api/"):
            return jsonify({"error": title, "message": gettext(message)}), status
        return render_template(
            "errors/error.html", status=status, title=gettext(title), message=gettext(message)
        ), status

    def _bad_request(error):
        description = getattr(error, "description", "")
        if description == NUL_REFUSAL:
            return _render(400, N_("Bad request"), NUL_REFUSAL)
        if request.path.startswith("/api/"):
            return jsonify({"error": "Bad request", "message": description}), 400
        return _render(400, N_("Bad request"), N_("The server could not understand the request."))

    app.register_error_handler(400, _bad_request)

    def _csrf_refused(error: CSRFError):
        if request.path.startswith("/api/"):
            # Only session-authenticated API writes are checked (the scanner page): say
            # which header to send, and that scripts should use a bearer token instead.
            return jsonify(
                {
                    "error": "csrf_failed",
                    "message": f"{error.description} "
                    + gettext(
                        "Send the page's CSRF token in the X-CSRFToken header, or call the "
                        "API with 'Authorization: Bearer <token>'."
                    ),
                }
            ), 400
        return _render(
            400,
            N_("Form expired"),
            N_(
                "The form was missing its security token or it expired. "
                "Go back, reload the page and try again."
            ),
        )

    app.register_error_handler(CSRFError, _csrf_refused)

    def _sent_twice(error: IntegrityError):
        # A double-click or a resent form races its twin to the same unique key: the
        # first one was saved, so this is a normal outcome, not a server error. Any other
        # constraint failure is a bug, and stays a 500 (re-raised to the 500 handler).
        db.session.rollback()
        if not _is_unique_violation(error):
            raise error
        return _render(
            409,
            N_("Already saved"),
            N_(
                "The same form was sent twice at once and the first one was saved. "
                "Go back and reload the page to see it."
            ),
        )

    app.register_error_handler(IntegrityError, _sent_twice)

    def _unauthorised(error):
        # Pages send signed-out visitors to the sign-in form (and back afterwards);
        # the API answers 401 with a JSON reason.
        if request.path.startswith("/api/"):
            return _render(401, N_("Sign-in needed"), N_("Send a bearer token or sign in."))
        return login_manager.unauthorized()

    app.register_error_handler(401, _unauthorised)
    app.register_error_handler(
        403,
        lambda e: _render(
            403, N_("Not allowed"), N_("Your account does not have access to this page.")
        ),
    )
    app.register_error_handler(
        404, lambda e: _render(404, N_("Page not found"), N_("There is nothing at this address."))
    )
    app.register_error_handler(
        405,
        lambda e: _allow(
            e,
            _render(
                405, N_("Method not allowed"), N_("This address does not accept that request.")
            ),
        ),
    )
    app.register_error_handler(
        413,
        lambda e: _render(
            413, N_("Too large"), N_("The upload is larger than the server accepts.")
        ),
    )
    app.register_error_handler(
        429,
        lambda e: _render(429, N_("Too many attempts"), N_("Please wait a minute and try again.")),
    )
    app.register_error_handler(DomainError, _domain_refusal)
    app.register_error_handler(
        500,
        lambda e: _render(
            500,
            N_("Something went wrong"),
            N_("The error was logged. Please try again in a moment."),
        ),
    )


def _domain_refusal(exc: DomainError):
    """A refusal no view turned into a form error: 404/403/409 with the service's reason."""
    if request.path.startswith("/api/"):
        return jsonify({"error": exc.code, "message": str(exc.message)}), exc.status_code
    titles = {404: _l("Page not found"), 403: _l("Not allowed"), 422: _l("Not possible")}
    title = titles.get(exc.status_code, _l("Not possible"))
    return render_template(
        "errors/error.html", status=exc.status_code, title=title, message=exc.message
    ), exc.status_code


def register_template_helpers(app: Flask) -> None:
    """Filters to show UTC times in an event's zone and country names."""
    from confapp.countries import country_name

    @app.template_filter("country")
    def country(code: str | None) -> str:
        return country_name(code)

    from confapp.multilingual import language_of_text
    from confapp.multilingual import tr

    # {{ session|tr("title") }}: organiser-written text in the reader's language, else the
    # event's default; {{ session|tr_lang("title") }} is the language that text is in.
    app.add_template_filter(tr, "tr")
    app.add_template_filter(language_of_text, "tr_lang")

    @app.template_filter("label")
    def label(value) -> str:
        # An enum with a `label` property names its values in the reader's language.
        named = getattr(value, "label", None)
        if named is not None and not callable(named):
            return str(named)
        text = getattr(value, "value", value) or ""
        return str(text).replace("_", " ").capitalize()


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def register_input_guards(app: Flask) -> None:
    """Refuse text with NUL characters up front: PostgreSQL cannot store or compare them,
    so they would otherwise end as a database error (500) wherever they reach a query."""

    @app.before_request
    def _refuse_nul():
        if "\x00" in request.path:
            abort(404)  # nothing can live at such an address
        if any(_has_nul(k) or _has_nul(v) for k, v in request.args.items(multi=True)) or (
            request.method in ("POST", "PUT", "PATCH") and _body_has_nul()
        ):
            abort(400, NUL_REFUSAL)


def json_may_hold_nul(raw: bytes) -> bool:
    """Whether a JSON body might hold a NUL character (False means it surely does not)."""
    # In UTF-8 JSON a NUL can only be the escape \u0000 (raw control characters are not
    # valid JSON); zero bytes mean UTF-16/32, which must be parsed and walked. Most bodies
    # are cleared by these two byte searches instead of a walk through the parsed document.
    return b"\\u0000" in raw or b"\x00" in raw


def _body_has_nul() -> bool:
    if request.is_json:
        raw = request.get_data(cache=True)
        return json_may_hold_nul(raw) and _has_nul(request.get_json(silent=True))
    # Form fields only: uploaded files (CSV, XLSX) are binary and parsed by their importers.
    return any(_has_nul(k) or _has_nul(v) for k, v in request.form.items(multi=True))


def register_security_headers(app: Flask) -> None:
    """CSP without inline scripts, no framing, a strict referrer policy, HSTS in production."""

    @app.after_request
    def _headers(response):
        return add_security_headers(response, production=bool(app.config.get("PRODUCTION")))


def register_sessions(app: Flask) -> None:
    """Cookie sessions for browsers; none read or written for bearer-token API calls."""
    from confapp.web.sessions import CookieSessions

    app.session_interface = CookieSessions()


def register_static_files(app: Flask) -> None:
    """Hashed, compressed, long-cached static files served by WhiteNoise ahead of the app."""
    from confapp import assets

    assets.init_app(app)


def register_commands(app: Flask) -> None:
    """CLI commands of every feature (`confapp --help` lists them)."""
    from confapp.accounts.cli import register as accounts_cli
    from confapp.badges.cli import register as badges_cli
    from confapp.demo.cli import register as demo_cli
    from confapp.registration.cli import register as registration_cli
    from confapp.visa.cli import register as visa_cli

    for register in (accounts_cli, demo_cli, registration_cli, visa_cli, badges_cli):
        register(app)
    from confapp.meetings.cli import register as meetings_cli

    meetings_cli(app)
    from confapp.jobs.cli import register as jobs_cli

    jobs_cli(app)
