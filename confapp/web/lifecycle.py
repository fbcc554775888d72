"""One way through a request: load, check access, act, log, commit once, answer.

Modelled on Indico's request handlers (``_process_args`` → ``_check_access`` →
``_process``), as decorators rather than classes::

    @bp.route("/events/<slug>/my-registration/edit", methods=["GET", "POST"])
    @event_view(Access.SIGNED_IN, log=True)
    def edit(ctx: Ctx):
        reg = own_registration(ctx)
        form = EditDetailsForm(obj=reg)
        if ctx.submit(form, lambda: services.update_details(reg, form.details(), ctx.now),
                      success="Your details are saved."):
            return redirect(url_for(".mine", slug=ctx.event.slug))
        return render_template("registration/edit.html", event=ctx.event, form=form)

The decorator loads the event named by ``<slug>`` (drafts exist only for their staff),
checks the caller's access and hands the view a :class:`Ctx`. ``ctx.perform`` and
``ctx.submit`` run a service call, write the event-log entry for what it changed (see
:mod:`confapp.eventlog.services`), commit once, and turn a ``DomainError`` into a form
error or a flash after rolling back. ``NotFound`` and ``NotAllowed`` raised anywhere in a
view become 404 and 403 pages (or JSON under ``/api/``) through the app's error handlers.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
from collections.abc import Callable
from typing import Any
from typing import Generic
from typing import TypeVar

from flask import abort
from flask import flash
from flask import g
from flask import render_template
from flask import request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm

from confapp.api.auth import api_caller
from confapp.api.auth import current_api_user
from confapp.api.auth import json_error
from confapp.db import utcnow
from confapp.errors import DomainError
from confapp.errors import NotAllowed
from confapp.errors import NotFound
from confapp.eventlog.services import Recorder
from confapp.eventlog.services import caller_role
from confapp.extensions import db
from confapp.i18n import language_changed
from confapp.lookups import event_scoped_or_404

T = TypeVar("T")


class Access(enum.StrEnum):
    """Who may open a route."""

    PUBLIC = "public"  # anyone who may see the event (drafts: its staff and admins)
    SIGNED_IN = "signed_in"  # any signed-in account
    STAFF = "staff"  # staff or organisers of the event, administrators
    ORGANISER = "organiser"  # organisers of the event, administrators
    ADMIN = "admin"  # site administrators


_LOGGED_BY_DEFAULT = {Access.STAFF, Access.ORGANISER, Access.ADMIN}


@dataclasses.dataclass
class Outcome(Generic[T]):
    """What running an action gave: truthy when it succeeded (and was committed)."""

    ok: bool
    value: T | None = None
    error: DomainError | None = None

    def __bool__(self) -> bool:
        return self.ok


@dataclasses.dataclass
class Ctx:
    """What a view works with: the event, the caller and their role, the time, the route."""

    event: Any  # confapp.events.models.Event | None
    user: Any  # confapp.accounts.models.User | None (None: signed out)
    role: str  # organiser | staff | admin | signed_in | visitor
    now: dt.datetime
    endpoint: str
    log: bool
    api: bool = False  # JSON endpoints: a refusal propagates to the app's JSON error answer

    @property
    def slug(self) -> str:
        """The event's slug (for url_for)."""
        return self.event.slug

    def get(self, model: type[T], ident: Any, **parents: Any) -> T:
        """The row of `model` with this id inside the event (404 otherwise)."""
        return event_scoped_or_404(model, ident, self.event, **parents)

    def perform(
        self,
        action: Callable[[], T],
        *,
        form: FlaskForm | None = None,
        success: str | None = None,
        subject: Any = None,
        detail: str | None = None,
        log: bool | None = None,
    ) -> Outcome[T]:
        """Run `action`, log what it changed, commit once; on a DomainError roll back and
        show the message at its form field (or atop the form), else as a flash."""
        recorder = self._recorder(log, detail)
        try:
            if recorder is None:
                value = action()
                db.session.flush()
            else:
                with recorder:
                    value = action()
                    if subject is not None:
                        recorder.set_subject(subject)
                    recorder.finish()
            db.session.commit()
        except (NotFound, NotAllowed):
            db.session.rollback()
            raise
        except DomainError as exc:
            db.session.rollback()
            if self.api:
                raise  # answered as {"error": code, "message": ...} with its status
            if form is not None:
                form_error(form, exc)
            else:
                flash(str(exc.message), "error")
            return Outcome(False, error=exc)
        except BaseException:
            db.session.rollback()
            raise
        if success:
            flash(str(success), "success")
        return Outcome(True, value=value)

    def submit(self, form: FlaskForm, action: Callable[[], T], **options: Any) -> Outcome[T]:
        """Validate a submitted form, then :meth:`perform` the action; a GET or an invalid
        form is a falsy Outcome with nothing run."""
        if not form.validate_on_submit():
            return Outcome(False)
        return self.perform(action, form=form, **options)

    def confirm(
        self,
        *,
        title: str,
        consequences: list[str],
        confirm_label: str,
        back: str,
        danger: bool = True,
    ) -> Any:
        """The confirmation step of a destructive action, without JavaScript.

        The first POST (from a button) changes nothing: it answers a page that says what will
        happen — who is e-mailed, which seats pass to whom — and posts the same fields again
        with ``confirmed=yes``. That second POST gets None here and the view goes on.
        """
        if request.method == "POST" and request.form.get("confirmed") == "yes":
            return None
        fields = [
            (name, value)
            for name, value in request.form.items(multi=True)
            if name not in ("csrf_token", "confirmed")
        ]
        return render_template(
            "confirm.html",
            event=self.event,
            title=title,
            consequences=consequences,
            confirm_label=confirm_label,
            back=back,
            danger=danger,
            fields=fields,
            action=request.path,
        )

    def _recorder(self, log: bool | None, detail: str | None) -> Recorder | None:
        if not (self.log if log is None else log):
            return None
        recorder = Recorder(
            event_id=getattr(self.event, "id", None),
            actor=self.user,
            actor_role=self.role,
            kind=self.endpoint,
            via="api" if request.path.startswith("/api/") else "web",
        )
        if detail:
            recorder.detail = detail
        return recorder


def form_error(form: FlaskForm, exc: DomainError) -> None:
    """Show a service refusal next to its field, or at the top of the form."""
    if exc.field and exc.field in form:
        form[exc.field].errors = [*form[exc.field].errors, exc.message]
    else:
        form.form_errors.append(exc.message)


def _check_access(access: Access, user: Any, event: Any) -> None:
    if access is Access.PUBLIC:
        return
    if user is None:
        abort(401)  # pages: the sign-in redirect; the API: a JSON 401
    allowed = {
        Access.SIGNED_IN: lambda: True,
        Access.STAFF: lambda: event is not None and user.is_staff(event),
        Access.ORGANISER: lambda: event is not None and user.is_organiser(event),
        Access.ADMIN: lambda: user.is_admin,
    }[access]()
    if not allowed:
        abort(403)


# What the lifecycle needs from the packages above it, given by the app's wiring at start-up
# (as Flask-Login is given its user_loader): the lifecycle imports no feature, so every
# feature's views can go through it without an import cycle.
_LOADERS: dict[str, Callable[..., Any]] = {}


def use_event_loader(loader: Callable[[str, Any], Any]) -> None:
    """Set how the event a URL's slug names is found for a caller: ``loader(slug, user)``,
    raising NotFound when the caller may not see it (events' event_for_viewer)."""
    _LOADERS["event"] = loader


def load_event(slug: str, user: Any) -> Any:
    """The event with this slug as the caller may see it (drafts: its staff only)."""
    return _LOADERS["event"](slug, user)


def _current_user_or_none() -> Any:
    return current_user._get_current_object() if current_user.is_authenticated else None


def make_ctx(access: Access, *, slug: str | None, log: bool | None) -> Ctx:
    """Load the event and caller, check access, and build the view's context."""
    user = _current_user_or_none()
    event = load_event(slug, user) if slug is not None else None
    _check_access(access, user, event)
    return _new_ctx(access, event, user, log)


def _new_ctx(access: Access, event: Any, user: Any, log: bool | None, *, api: bool = False) -> Ctx:
    if event is not None:
        language_changed()  # the event's languages now count for Accept-Language
    ctx = Ctx(
        event=event,
        user=user,
        role=caller_role(user, event),
        now=utcnow(),
        endpoint=request.endpoint or "",
        log=access in _LOGGED_BY_DEFAULT if log is None else log,
        api=api,
    )
    g.ctx = ctx
    return ctx


_API_REFUSALS = {
    Access.STAFF: _l("Only staff or organisers of this event may do this."),
    Access.ORGANISER: _l("Only organisers of this event may do this."),
    Access.ADMIN: _l("Only site administrators may do this."),
}


def api_event_view(access: Access = Access.STAFF, *, log: bool | None = None) -> Callable:
    """Decorate a JSON endpoint under ``/api/v1/events/<slug>/...``: ``view(ctx, **url_args)``.

    The caller is the owner of an ``Authorization: Bearer`` token, else the signed-in
    session, whose writes must carry the CSRF token (confapp.api.auth). No caller: 401
    with the Bearer challenge; an unknown event (or a draft the caller may not see): 404;
    no role: 403; a DomainError from ``ctx.perform``: its status with
    ``{"error": code, "message": ...}``. Everything is JSON.
    """

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(slug: str, **kwargs: Any) -> Any:
            # Public endpoints (the published programme) answer callers without a token too.
            user = current_api_user() if access is Access.PUBLIC else api_caller()
            event = load_event(slug, user)
            allowed = {
                Access.PUBLIC: lambda: True,
                Access.SIGNED_IN: lambda: True,
                Access.STAFF: lambda: user.is_staff(event),
                Access.ORGANISER: lambda: user.is_organiser(event),
                Access.ADMIN: lambda: user.is_admin,
            }[access]()
            if not allowed:
                json_error(403, "forbidden", str(_API_REFUSALS[access]))
            return view(_new_ctx(access, event, user, log, api=True), **kwargs)

        wrapped.lifecycle = (access, log)
        return wrapped

    return decorator


def event_view(access: Access = Access.PUBLIC, *, log: bool | None = None) -> Callable:
    """Decorate a view of ``/events/<slug>/...``: it is called as ``view(ctx, **url_args)``.

    `log` says whether its actions go into the event log; by default those of staff,
    organiser and administrator routes do.
    """

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(slug: str, **kwargs: Any) -> Any:
            return view(make_ctx(access, slug=slug, log=log), **kwargs)

        wrapped.lifecycle = (access, log)  # read by the route-walking tests
        return wrapped

    return decorator


def site_view(access: Access = Access.PUBLIC, *, log: bool | None = None) -> Callable:
    """Decorate a view outside any event (accounts, administration): ``view(ctx, **args)``."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(**kwargs: Any) -> Any:
            return view(make_ctx(access, slug=None, log=log), **kwargs)

        wrapped.lifecycle = (access, log)
        return wrapped

    return decorator
