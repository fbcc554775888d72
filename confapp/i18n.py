"""Languages: which one a page, an e-mail or a PDF is in, and how dates, numbers and
countries are written in it.

The interface is translated with Flask-Babel (catalogs in ``confapp/translations``,
compiled ``.mo`` files committed beside the ``.po`` files so a plain ``pip install`` works).
A page's language is, in order: ``?lang=xx`` (remembered in the session and, for a
signed-in person, on the account), the session, the account's language, the best match of
``Accept-Language`` among the event's languages (or the site's), the event's default, and
English. E-mails, PDFs and feeds made for one person use that person's language through
:func:`language_of` and :func:`force_language`, in a request, the CLI or the worker alike.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import click
from babel import Locale
from babel import dates as babel_dates
from flask import Flask
from flask import current_app
from flask import g
from flask import has_app_context
from flask import has_request_context
from flask import request
from flask import session
from flask.cli import ScriptInfo
from flask_babel import Babel
from flask_babel import force_locale
from flask_babel import get_locale
from flask_babel import gettext
from flask_babel import lazy_gettext
from flask_babel import refresh
from markupsafe import Markup

DEFAULT_LANGUAGE = "en"
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur"})
SESSION_KEY = "lang"
# Beside this module (not from confapp/__init__, which would tie i18n to create_app).
TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"

babel = Babel()


def N_(message: str) -> str:
    """Mark a message for extraction without translating it yet (it is translated where it
    is shown, in the reader's language)."""
    return message


# --- which languages exist ------------------------------------------------------------------


def parse_languages(value: Any) -> list[str]:
    """``"en,fr, ar"`` or a list → ``["en", "fr", "ar"]`` (lower case, no duplicates)."""
    items = value.split(",") if isinstance(value, str) else list(value or [])
    seen: list[str] = []
    for item in items:
        code = str(item).strip().lower().replace("_", "-")
        if code and code not in seen:
            seen.append(code)
    return seen


def site_languages(app: Flask | None = None) -> list[str]:
    """The languages this site offers (``CONFAPP_LANGUAGES``), English first by default."""
    return (app or current_app).config["LANGUAGES"]


def event_languages(event: Any) -> list[str]:
    """The languages an event offers, its default first; the site's when it names none."""
    site = site_languages()
    chosen = [code for code in (getattr(event, "languages", None) or []) if code in site]
    chosen = chosen or list(site)
    default = getattr(event, "default_language", None)
    if default in site:
        chosen = [default, *[c for c in chosen if c != default]]
    return chosen


def language_name(code: str) -> str:
    """A language's own name for itself ("Français", "العربية"), for switchers and lists."""
    return _endonym(code)


@lru_cache(maxsize=64)
def _endonym(code: str) -> str:
    try:
        name = Locale.parse(code).get_display_name(code) or code
    except (ValueError, LookupError):
        return code
    return name[:1].upper() + name[1:]


def back_arrow() -> str:
    """The arrow of a "back" link: it points where the reader's line begins."""
    return "→" if text_direction() == "rtl" else "←"


def text_direction(code: str | None = None) -> str:
    """``rtl`` for right-to-left languages, else ``ltr``."""
    return "rtl" if (code or current_language()) in RTL_LANGUAGES else "ltr"


# Arabic script has a comma of its own (U+060C); an enumeration in Arabic, Persian or Urdu
# reads wrong with the Latin one.
_LIST_COMMAS = {"ar": "\u060c ", "fa": "\u060c ", "ur": "\u060c "}


def list_separator(code: str | None = None) -> str:
    """What separates the items of a list in the reader's language (", ", or "، " in Arabic)."""
    return _LIST_COMMAS.get(code or current_language(), ", ")


def join_list(items: Iterable[str], code: str | None = None) -> str:
    """Items joined into one enumeration with the reader's list separator."""
    return list_separator(code).join(items)


# --- the language of this request -----------------------------------------------------------


def current_language() -> str:
    """The language code in use now (the request's, or a forced one, else English)."""
    locale = get_locale()
    return locale.language if locale is not None else DEFAULT_LANGUAGE


def _request_event() -> Any:
    ctx = g.get("ctx")
    return getattr(ctx, "event", None)


def select_locale() -> str | None:
    """Flask-Babel's locale selector: see the module docstring for the order."""
    if not has_request_context():
        return None  # CLI and worker: English unless force_language() says otherwise
    site = site_languages()
    chosen = session.get(SESSION_KEY)
    if chosen in site:
        return chosen
    user = _signed_in_user()
    if user is not None and getattr(user, "language", None) in site:
        return user.language
    event = _request_event()
    offered = event_languages(event) if event is not None else site
    best = request.accept_languages.best_match(offered)
    if best:
        return best
    return offered[0] if offered else DEFAULT_LANGUAGE


def _signed_in_user() -> Any:
    if getattr(session, "bearer_call", False):
        # A bearer-token API call is judged by its token alone (confapp.web.sessions): no
        # cookie user is looked for, and its texts follow Accept-Language or ?lang=.
        return None
    from flask_login import current_user

    return current_user if current_user and current_user.is_authenticated else None


def remember_requested_language() -> None:
    """``?lang=xx`` chooses the language: kept in the session and on the account."""
    wanted = request.args.get("lang", "").strip().lower()
    if not wanted or wanted not in site_languages():
        return
    session[SESSION_KEY] = wanted
    user = _signed_in_user()
    if user is not None and getattr(user, "language", None) != wanted:
        from confapp.extensions import db

        user.language = wanted
        db.session.commit()
    refresh()


def language_changed() -> None:
    """Forget the locale chosen earlier in this request (the event became known)."""
    refresh()


@contextmanager
def force_language(code: str | None) -> Iterator[None]:
    """Render e-mails, PDFs and feeds for one reader in their language."""
    code = code if code in site_languages() else DEFAULT_LANGUAGE
    with force_locale(code):
        yield


def language_of(person: Any, event: Any = None) -> str:
    """The language to write to someone in: theirs if the site has it, else the event's."""
    site = site_languages()
    for candidate in (
        getattr(person, "language", None),
        getattr(getattr(person, "user", None), "language", None),
        getattr(event, "default_language", None),
    ):
        if candidate in site:
            return candidate
    return site[0] if site else DEFAULT_LANGUAGE


# --- formats ------------------------------------------------------------------------------------

_STRFTIME_TO_SKELETON = {
    "%Y": "y",
    "%m": "MM",
    "%d": "d",
    "%b": "MMM",
    "%B": "MMMM",
    "%a": "E",
    "%A": "EEEE",
    "%H": "H",
    "%M": "mm",
    "%S": "ss",
}
_TOKEN = re.compile(r"%[A-Za-z]")


@lru_cache(maxsize=128)
def skeleton_for(strftime_format: str) -> str:
    """The CLDR skeleton of a strftime format, so each language orders and names the parts
    its own way (``"%a %d %b, %H:%M"`` → ``"EdMMMHmm"``: "Sat 20 Feb, 09:30",
    "sam. 20 févr., 09:30", "السبت ٢٠ فبراير، ٠٩:٣٠")."""
    return "".join(_STRFTIME_TO_SKELETON.get(t, "") for t in _TOKEN.findall(strftime_format))


def format_local(value: dt.datetime | None, event: Any, fmt: str = "%a %d %b %Y, %H:%M") -> str:
    """A UTC datetime shown in the event's time zone, in the current language."""
    if value is None:
        return ""
    local = event.local(value)
    if fmt == "%Y-%m-%d":
        return local.date().isoformat()  # machine-readable on purpose
    if current_language() == DEFAULT_LANGUAGE:
        # English keeps the exact layout each template asks for ("Sat 20 Feb, 09:30");
        # Python's C-locale names are English whatever the server's locale.
        return _english_strftime(local, fmt)
    return format_skeleton(local, skeleton_for(fmt))


def _format_locale() -> Locale:
    locale = get_locale() or Locale.parse(DEFAULT_LANGUAGE)
    # English dates the way an international conference writes them: 20 February 2027.
    return _EN_GB if locale.language == "en" and not locale.territory else locale


_EN_GB = Locale.parse("en_GB")
_TIME_FIELDS = frozenset("HhKkmsaBb")


def format_skeleton(value: dt.datetime | dt.date, skeleton: str) -> str:
    """Format with a CLDR skeleton in the current language; a date-and-time skeleton is
    formatted as its two halves joined the way the language joins them."""
    locale = _format_locale()
    date_part = "".join(ch for ch in skeleton if ch not in _TIME_FIELDS)
    time_part = "".join(ch for ch in skeleton if ch in _TIME_FIELDS)
    if not isinstance(value, dt.datetime):
        time_part = ""
    parts = {}
    if date_part:
        if "EEEE" in date_part and "MMMM" in date_part and "y" in date_part:
            parts["date"] = babel_dates.format_date(value, "full", locale=locale)
        else:
            parts["date"] = _skeleton_pattern(str(locale), date_part).apply(value, locale)
    if time_part:
        # `value` is already in the zone it is shown in (the event's): no conversion.
        parts["time"] = _skeleton_pattern(str(locale), time_part).apply(value, locale)
    if len(parts) == 2:
        glue = str(locale.datetime_formats.get("medium", "{1} {0}")).replace("'", "")
        return glue.replace("{1}", parts["date"]).replace("{0}", parts["time"])
    return next(iter(parts.values()), "")


@lru_cache(maxsize=512)
def _skeleton_pattern(locale_id: str, skeleton: str) -> Any:
    """The parsed CLDR pattern of a skeleton in one locale, worked out once per process
    (Babel's own format_skeleton matches the skeleton again on every call, which made a
    400-session programme page three times slower in any language but English)."""
    locale = Locale.parse(locale_id)
    skeletons = locale.datetime_skeletons
    if skeleton not in skeletons:
        skeleton = babel_dates.match_skeleton(skeleton, skeletons) or skeleton
    pattern = skeletons.get(skeleton)
    if pattern is None:
        # No CLDR pattern near it: the locale's medium date or time format.
        is_time = all(ch in _TIME_FIELDS for ch in skeleton)
        pattern = (locale.time_formats if is_time else locale.date_formats)["medium"]
    return babel_dates.parse_pattern(str(pattern))


def format_date(value: dt.date | None, fmt: str = "%d %B %Y") -> str:
    """A calendar date in the current language (no time zone involved)."""
    if value is None:
        return ""
    if current_language() == DEFAULT_LANGUAGE:
        return _english_strftime(value, fmt)
    return format_skeleton(value, skeleton_for(fmt))


def format_date_range(start: dt.date | None, end: dt.date | None) -> str:
    """Two calendar days as one range in the current language ("20–22 February 2027",
    "20–22 février 2027", "٢٠–٢٢ فبراير ٢٠٢٧"), shared parts written once."""
    if start is None or end is None:
        return format_date(start or end)
    if current_language() == DEFAULT_LANGUAGE:
        if start == end:
            return _english_strftime(start, "%d %B %Y")
        if (start.year, start.month) == (end.year, end.month):
            return f"{start:%d}–{_english_strftime(end, '%d %B %Y')}"
        return f"{_english_strftime(start, '%d %b %Y')} – {_english_strftime(end, '%d %b %Y')}"
    if start == end:
        return format_date(start)
    return babel_dates.format_interval(start, end, "yMMMMd", locale=_format_locale())


# Unicode isolates: LEFT-TO-RIGHT ISOLATE, FIRST STRONG ISOLATE ... POP DIRECTIONAL ISOLATE.
LRI, FSI, PDI = "\u2066", "\u2068", "\u2069"


def isolate(text: str, language: str | None = None) -> str:
    """Left-to-right text (a time range, a code) kept whole inside a right-to-left sentence:
    wrapped in Unicode isolates in a right-to-left language, unchanged otherwise. For plain
    text (e-mails, PDFs, option labels); HTML uses ``<bdi>`` or ``dir="ltr"`` instead."""
    if text and text_direction(language) == "rtl":
        return f"{LRI}{text}{PDI}"
    return text


def isolate_name(text: str, language: str | None = None) -> str:
    """A name or other data of either direction (a Latin organisation in an Arabic line) kept
    whole, in its own direction, inside a right-to-left text (like ``<bdi>`` in HTML)."""
    if text and text_direction(language) == "rtl":
        return f"{FSI}{text}{PDI}"
    return text


def time_span(
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    event: Any,
    date_fmt: str | None = None,
    sep: str = ", ",
) -> str:
    """'Sat 20 Feb, 10:00–11:00' in the event's zone and the current language: the day (in
    `date_fmt`, if given), then the clock times, which read left to right in every language
    (isolated in Arabic, where the page's direction would otherwise put the end first)."""
    clock = isolate(
        f"{format_local(starts_at, event, '%H:%M')}–{format_local(ends_at, event, '%H:%M')}"
    )
    if not date_fmt:
        return clock
    if text_direction() == "rtl":
        sep = sep.replace(",", "،")
    return f"{format_local(starts_at, event, date_fmt)}{sep}{clock}"


def time_span_html(
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    event: Any,
    date_fmt: str | None = None,
    sep: str = ", ",
) -> Markup:
    """:func:`time_span` for pages: the clock times in ``<time datetime>`` elements, isolated
    left to right (``<span dir="ltr">``) so Arabic pages do not show "13:00–11:30"."""
    clock = Markup(
        '<span class="timespan" dir="ltr"><time datetime="{}">{}</time>–'
        '<time datetime="{}">{}</time></span>'
    ).format(
        _iso_seconds(starts_at),
        format_local(starts_at, event, "%H:%M"),
        _iso_seconds(ends_at),
        format_local(ends_at, event, "%H:%M"),
    )
    if not date_fmt:
        return clock
    if text_direction() == "rtl":
        sep = sep.replace(",", "،")
    return Markup("{}{}{}").format(format_local(starts_at, event, date_fmt), sep, clock)


def _iso_seconds(moment: dt.datetime) -> str:
    # What <time datetime> accepts: UTC, whole seconds (stored naive times are UTC).
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


_EN_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_EN_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
)  # fmt: skip


def _english_strftime(value: dt.date, fmt: str) -> str:
    # Names spelled out here rather than by strftime, whose names follow the process locale.
    names = {
        "%A": _EN_DAYS[value.weekday()],
        "%a": _EN_DAYS[value.weekday()][:3],
        "%B": _EN_MONTHS[value.month - 1],
        "%b": _EN_MONTHS[value.month - 1][:3],
    }
    return value.strftime(_TOKEN.sub(lambda m: names.get(m.group(0), m.group(0)), fmt))


# --- reading order ---------------------------------------------------------------------------


def sort_key(language: str | None = None):
    """A key that sorts text as a reader expects (Unicode Collation Algorithm): "Åland"
    beside "Albania", "Côte d'Ivoire" before "Czechia", not by code point."""
    return _collator().sort_key


@lru_cache(maxsize=1)
def _collator():
    from pyuca import Collator

    return Collator()


def sorted_by_name(items: Iterable[Any], key=lambda item: item) -> list[Any]:
    """Items sorted by a text key in reading order (see :func:`sort_key`)."""
    collate = sort_key()
    return sorted(items, key=lambda item: collate(key(item)))


def query_with(**changes: Any) -> str:
    """This request's query string with some parameters replaced (the language switcher
    keeps the page's filters)."""
    from urllib.parse import urlencode

    args = [(k, v) for k, v in request.args.items(multi=True) if k not in changes]
    args.extend((k, v) for k, v in changes.items() if v is not None)
    return urlencode(args)


# --- the command line --------------------------------------------------------------------------
# A command speaks the default language of the event it works on (force_language around its
# body, as import-delegates, badges and schedule-meetings do); one about no event, and every
# command's --help (shown before any event is known), the site's: the first of
# CONFAPP_LANGUAGES.


def site_language() -> str:
    """The site's own language: the first of ``CONFAPP_LANGUAGES`` (English by default)."""
    site = site_languages()
    return site[0] if site else DEFAULT_LANGUAGE


@contextmanager
def cli_language(ctx: click.Context | None = None) -> Iterator[None]:
    """The site's language while click writes a command's help. Click does that while it
    parses the arguments, before the command's app context exists: one is pushed here from
    the command line's ScriptInfo when needed."""
    if has_app_context():
        with force_language(site_language()):
            yield
        return
    ctx = ctx or click.get_current_context(silent=True)
    info = ctx.find_object(ScriptInfo) if ctx is not None else None
    if info is None:
        yield  # no app to read the catalogs from: click's English
        return
    with info.load_app().app_context(), force_language(site_language()):
        yield


class TranslatedOption(click.Option):
    """An option whose help (a lazy_gettext string) and the notes click adds after it
    ("[default: a6]", "[required]") are translated."""

    def __init__(self, *args: Any, help: Any = None, **kwargs: Any) -> None:  # noqa: A002
        super().__init__(*args, help=help, **kwargs)
        # Click tidies the help into a plain str at import, outside any language: keep the
        # lazy string, rendered when --help is asked for.
        self.help = help

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        """The option's line of --help: click's names and metavar, then the help and its
        notes in the reader's language (click writes the notes with its own English)."""
        record = super().get_help_record(ctx)
        if record is None:
            return None
        extra = self.get_help_extra(ctx)
        notes = []
        if "envvars" in extra:
            notes.append(gettext("env var: %(names)s", names=", ".join(extra["envvars"])))
        if "default" in extra:
            notes.append(gettext("default: %(value)s", value=extra["default"]))
        if "range" in extra:
            notes.append(extra["range"])  # "0<=x<=8760": notation, the same in every language
        if "required" in extra:
            notes.append(gettext("required"))
        text = str(self.help or "")
        if notes:
            joined = notes[0]
            for note in notes[1:]:  # "24.0; 0<=x<=8760", "24.0 ; …" in French, "؛" in Arabic
                joined = gettext("%(first)s; %(second)s", first=joined, second=note)
            text = f"{text}  [{joined}]" if text else f"[{joined}]"
        return record[0], text


class TranslatedCommand(click.Command):
    """A command whose help is written in the site's language: its text and its options'
    (lazy_gettext strings with ``cls=TranslatedOption``), and the words click adds (usage,
    options, the --help line). Click's own parsing errors ("Missing argument") stay English."""

    def get_help(self, ctx: click.Context) -> str:
        """The --help page, in the site's language."""
        with cli_language(ctx):
            return super().get_help(ctx)

    def get_short_help_str(self, limit: int = 45) -> str:
        """The line in `confapp --help`'s list of commands."""
        with cli_language():
            return super().get_short_help_str(limit)

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The usage line, its "Usage:" translated."""
        pieces = " ".join(self.collect_usage_pieces(ctx))
        formatter.write_usage(ctx.command_path, pieces, prefix=gettext("Usage:") + " ")

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The options, under a translated heading."""
        records = []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is not None and not isinstance(param, click.Argument):
                records.append((record[0], str(record[1])))
        if records:
            # Click's section() adds the colon itself; French wants a space before it.
            heading = gettext("Options:")
            formatter.write_paragraph()
            formatter.write(f"{'':>{formatter.current_indent}}{heading}\n")
            with formatter.indentation():
                formatter.write_dl(records)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        """Click's --help option, its line translated."""
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = lazy_gettext("Show this message and exit.")
        return option


class CommandError(click.ClickException):
    """A refusal a command prints, "Error:" included, in the language it speaks when raised
    (click would add an English "Error:" when it prints it, after the command's language is
    gone)."""

    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.line = gettext("Error: %(message)s", message=self.message)

    def show(self, file: Any = None) -> None:
        """Print the translated line on stderr (or `file`)."""
        click.echo(self.line, file=file, err=file is None)


# --- wiring -------------------------------------------------------------------------------------


def init_app(app: Flask) -> None:
    """Bind Flask-Babel with confapp's locale selector and catalogs."""
    app.config["LANGUAGES"] = parse_languages(app.config.get("LANGUAGES")) or [DEFAULT_LANGUAGE]
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS_DIR))
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    babel.init_app(app, locale_selector=select_locale)
    app.before_request(remember_requested_language)
    app.jinja_env.globals.update(
        current_language=current_language,
        text_direction=text_direction,
        back_arrow=back_arrow,
        list_sep=list_separator,
        language_name=language_name,
        site_languages=lambda: site_languages(),
        event_languages=event_languages,
    )
    app.jinja_env.globals["query_with"] = query_with
    app.jinja_env.filters["localtime"] = format_local
    app.jinja_env.filters["localdate"] = format_date
    app.jinja_env.globals["date_range_of"] = format_date_range
    app.jinja_env.globals["timespan"] = time_span_html
    app.jinja_env.globals["timespan_text"] = time_span
    app.jinja_env.filters["isolate"] = isolate
