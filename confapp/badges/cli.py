"""`confapp badges SLUG -o FILE.pdf`: print-ready badges with a progress bar.

Messages and refusals are written in the event's default language (the organisers'), its
--help in the site's (confapp.i18n.TranslatedCommand); each badge is printed in its holder's
language.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from confapp.badges import services
from confapp.badges.order import ORDERS
from confapp.badges.render import LAYOUTS
from confapp.db import utcnow
from confapp.errors import DomainError
from confapp.events.cli import event_for_command
from confapp.events.models import Event
from confapp.events.models import RegistrationCategory
from confapp.extensions import db
from confapp.i18n import CommandError
from confapp.i18n import TranslatedCommand
from confapp.i18n import TranslatedOption
from confapp.i18n import force_language


def register(app: Flask) -> None:
    """Add this feature's commands to the app's CLI."""
    app.cli.add_command(badges_command)


@click.command(
    "badges",
    cls=TranslatedCommand,
    help=_l("Write the badges of event SLUG (confirmed registrations) to a print-ready PDF."),
)
@click.argument("slug")
@click.option(
    "-o",
    "--output",
    "output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    cls=TranslatedOption,
    help=_l("PDF file to write."),
)
@click.option(
    "--layout",
    type=click.Choice(list(LAYOUTS)),
    default="a6",
    show_default=True,
    cls=TranslatedOption,
    help=_l("a6: one A6 per page; a4x4: four A6 per A4; a4x8: eight 90×55 mm per A4."),
)
@click.option(
    "--category",
    type=click.Choice([c.value for c in RegistrationCategory]),
    default=None,
    cls=TranslatedOption,
    help=_l("Only this registration category."),
)
@click.option(
    "--new-only",
    is_flag=True,
    cls=TranslatedOption,
    help=_l("Only badges not printed since they were (re-)issued."),
)
@click.option(
    "--order",
    type=click.Choice(list(ORDERS)),
    default="name",
    show_default=True,
    cls=TranslatedOption,
    help=_l("Sort by name or family name (as spelt in Latin letters), organisation or country."),
)
@click.option(
    "--no-mark",
    is_flag=True,
    cls=TranslatedOption,
    help=_l("Do not record these badges as printed."),
)
@with_appcontext
def badges_command(
    slug: str,
    output: Path,
    layout: str,
    category: str | None,
    new_only: bool,
    order: str,
    no_mark: bool,
) -> None:
    """Write the badges of event SLUG (confirmed registrations) to a print-ready PDF."""
    event = event_for_command(slug)
    with force_language(event.default_language):
        _print(event, output, layout, category, new_only, order, no_mark)


def _print(
    event: Event,
    output: Path,
    layout: str,
    category: str | None,
    new_only: bool,
    order: str,
    no_mark: bool,
) -> None:
    try:
        registrations = services.badge_registrations(
            event, category=category, new_only=new_only, order=order
        )
    except DomainError as exc:
        raise CommandError(exc.message) from exc
    with click.progressbar(
        length=len(registrations), label=_("Rendering badges"), file=sys.stderr
    ) as bar:

        def on_progress(done: int, total: int) -> None:
            bar.update(done - bar.pos)

        run = services.render(
            event, registrations, layout=layout, config=current_app.config, on_progress=on_progress
        )
    output.write_bytes(run.pdf)
    if not no_mark:
        services.mark_printed(services.printed_well(registrations, run), utcnow())
        db.session.commit()
    click.echo(
        ngettext(
            "Wrote %(num)d badge to %(file)s (%(layout)s).",
            "Wrote %(num)d badges to %(file)s (%(layout)s).",
            run.count,
            file=output,
            layout=LAYOUTS[layout].description,
        )
    )
    if run.undrawable:
        click.echo(
            ngettext(
                "Warning: %(num)d badge has letters that no installed font can draw; they are "
                "printed as \ufffd and not recorded as printed. Install a font for them "
                "(PDF_FALLBACK_FONTS) or add the name in Latin letters, then print them with "
                "--new-only:",
                "Warning: %(num)d badges have letters that no installed font can draw; they are "
                "printed as \ufffd and not recorded as printed. Install a font for them "
                "(PDF_FALLBACK_FONTS) or add the name in Latin letters, then print them with "
                "--new-only:",
                len(run.undrawable),
            ),
            err=True,
        )
        for problem in run.undrawable:
            click.echo(f"  {problem.describe()}", err=True)
