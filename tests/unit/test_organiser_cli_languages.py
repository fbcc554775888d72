"""The organisers' commands speak a language completely (issue 14): their --help, and the
line each has in `confapp --help`, in the site's language (the first of CONFAPP_LANGUAGES),
refusals with their "Error:" in the site's language when no event is known and in the
event's default language once it is. create-user and create-token: test_accounts_cli.py."""

from __future__ import annotations

import datetime as dt

import click
import pytest
from flask_babel.speaklater import LazyString

from confapp.extensions import db
from confapp.i18n import TranslatedCommand
from confapp.i18n import TranslatedOption
from tests.helpers import make_confirmed_registration
from tests.helpers import make_event

FRENCH_SITE = ["fr", "en", "es", "pt", "ar"]
# For whoever installs and runs the server (Flask's own, the demo, the worker, migrations):
# they stay in click's and Flask's English.
FOR_OPERATORS = {"demo", "seed-demo", "worker", "db", "run", "shell", "routes"}

HELP_IN_FRENCH = {
    "badges": (
        "Écrire les badges de l'événement SLUG (inscriptions confirmées) dans un PDF prêt à "
        "imprimer.",
        [
            "-o, --output FILE Fichier PDF à écrire. [obligatoire]",
            "a4x8 : huit badges 90×55 mm par feuille A4. [par défaut : a6]",
            "Seulement cette catégorie d'inscription.",
            "--new-only Seulement les badges pas encore imprimés depuis leur émission",
            "Trier par nom ou nom de famille (tels qu'ils s'écrivent en lettres latines), "
            "organisation ou pays. [par défaut : name]",
            "--no-mark Ne pas enregistrer ces badges comme imprimés.",
        ],
    ),
    "import-delegates": (
        "Importer le CSV d'une délégation dans l'événement SLUG : chaque ligne est d'abord "
        "vérifiée, tout ou rien.",
        [],
    ),
    "purge-passports": (
        "Effacer les données de passeport des demandes de lettre d'invitation pour le visa",
        ["--force Effacer même si l'événement n'est pas encore terminé."],
    ),
    "schedule-meetings": (
        "Attribuer un créneau et une table aux demandes de rendez-vous acceptées de "
        "l'événement SLUG",
        [
            "--reschedule Déplacer aussi les rendez-vous placés par une programmation par lots",
            "--time-limit FLOAT Durée de la phase d'amélioration, en secondes. [par défaut : 4.0]",
        ],
    ),
    "remind-meetings": (
        "Envoyer aux délégué·es de l'événement SLUG un e-mail sur les demandes de rendez-vous "
        "qui attendent leur réponse (une fois pour chacune). Peut être lancée par cron",
        [
            "Rappeler les demandes en attente depuis au moins ce nombre d'heures. "
            "[par défaut : 24.0 ; 0<=x<=8760]"
        ],
    ),
}


@pytest.mark.parametrize("command", sorted(HELP_IN_FRENCH))
def test_help_is_in_the_sites_language(app, runner, command):
    app.config["LANGUAGES"] = FRENCH_SITE
    result = runner.invoke(args=[command, "--help"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Utilisation : confapp {command} [OPTIONS] SLUG")
    text = " ".join(result.output.split())  # as the terminal's width wraps it
    description, options = HELP_IN_FRENCH[command]
    assert description in text
    for line in options:
        assert line in text
    assert "Options : " in text and "--help Afficher ce message et quitter." in text
    for english in ("Usage", "Options:", "required", "default", "Show this message"):
        assert english not in text


def test_help_stays_english_on_an_english_site(app, runner):
    text = " ".join(runner.invoke(args=["badges", "--help"]).output.split())
    assert text.startswith("Usage: confapp badges [OPTIONS] SLUG")
    assert "Options: -o, --output FILE PDF file to write. [required]" in text
    assert "eight 90×55 mm per A4. [default: a6]" in text
    remind = " ".join(runner.invoke(args=["remind-meetings", "--help"]).output.split())
    assert "at least this many hours. [default: 24.0; 0<=x<=8760]" in remind


def test_the_list_of_commands_is_in_the_sites_language(app, runner):
    app.config["LANGUAGES"] = FRENCH_SITE
    listing = runner.invoke(args=["--help"]).output
    for command, (description, _options) in HELP_IN_FRENCH.items():
        line = next(line for line in listing.splitlines() if line.split()[:1] == [command])
        # The first words of the description, cut to the terminal's width with "...".
        shown = line.split(None, 1)[1].removesuffix("...")
        assert description.startswith(shown) and len(shown) > 25, line


def _refusal(tmp_path, command):
    csv_file = tmp_path / "delegates.csv"
    csv_file.write_text("full_name,email\n", encoding="utf-8")
    return {
        "badges": ["badges", "nope", "-o", str(tmp_path / "badges.pdf")],
        "import-delegates": ["import-delegates", "nope", str(csv_file)],
        "purge-passports": ["purge-passports", "nope"],
        "schedule-meetings": ["schedule-meetings", "nope"],
        "remind-meetings": ["remind-meetings", "nope"],
    }[command]


@pytest.mark.parametrize("command", sorted(HELP_IN_FRENCH))
def test_an_unknown_event_is_refused_in_the_sites_language(app, runner, tmp_path, command):
    app.config["LANGUAGES"] = FRENCH_SITE
    result = runner.invoke(args=_refusal(tmp_path, command))
    assert result.exit_code == 1
    assert result.output == "Erreur : Aucun événement avec l'identifiant 'nope'.\n"
    app.config["LANGUAGES"] = ["ar", "en"]
    arabic = runner.invoke(args=_refusal(tmp_path, command))
    assert arabic.exit_code == 1
    assert arabic.output == "خطأ: لا توجد فعالية بالمعرّف 'nope'.\n"
    app.config["LANGUAGES"] = ["en", "fr"]
    english = runner.invoke(args=_refusal(tmp_path, command))
    assert english.exit_code == 1
    assert english.output == "Error: No event with slug 'nope'.\n"
    assert not (tmp_path / "badges.pdf").exists()


def test_a_refusal_about_an_event_is_in_its_default_language(app, runner):
    # An English site, an event whose organisers read French.
    with app.test_request_context():
        event = make_event("cdc", starts_on=dt.date(2099, 3, 1), ends_on=dt.date(2099, 3, 3))
        event.default_language = "fr"
        make_confirmed_registration(event, "a@example.org")
        db.session.commit()
    refused = runner.invoke(args=["purge-passports", "cdc"])
    assert refused.exit_code == 1
    assert refused.output == (
        "Erreur : Changing paradigms of cluster development se termine le 3 mars 2099 ; les "
        "données de passeport sont conservées jusqu'à la fin de l'événement. Utilisez --force "
        "pour les effacer dès maintenant.\n"
    )
    forced = runner.invoke(args=["purge-passports", "cdc", "--force"])
    assert forced.exit_code == 0, forced.output
    assert forced.output.startswith("Données de passeport effacées pour 0 demande")


def test_every_organisers_command_is_translated(app):
    """A new organiser command (or option) with a plain English help fails here: make it a
    TranslatedCommand with lazy_gettext help, its options TranslatedOption."""
    organisers = sorted(set(app.cli.commands) - FOR_OPERATORS)
    assert {"badges", "create-user", "create-token", "import-delegates"} <= set(organisers)
    for name in organisers:
        command = app.cli.commands[name]
        assert isinstance(command, TranslatedCommand), name
        assert isinstance(command.help, LazyString), name
        for param in command.params:
            if isinstance(param, click.Option):
                assert isinstance(param, TranslatedOption), (name, param.name)
                assert isinstance(param.help, LazyString), (name, param.name)


def test_organisers_commands_refuse_through_command_error():
    """click.ClickException prints an English "Error:" in every language: organisers'
    commands raise confapp.i18n.CommandError instead."""
    from pathlib import Path

    package = Path(__file__).resolve().parents[2] / "confapp"
    operators = {package / "demo" / "cli.py", package / "jobs" / "cli.py"}
    found = [
        str(path.relative_to(package.parent))
        for path in sorted(package.rglob("cli.py"))
        if path not in operators and "ClickException(" in path.read_text(encoding="utf-8")
    ]
    assert found == []


def test_import_problems_are_listed_in_the_events_language(app, runner, tmp_path):
    with app.app_context():
        make_event("cdc").default_language = "fr"
        db.session.commit()
    bad = tmp_path / "bad.csv"
    bad.write_text("full_name,email,country\nAna,ana@example.org,XX\n", encoding="utf-8")
    result = runner.invoke(args=["import-delegates", "cdc", str(bad)])
    assert result.exit_code == 1
    assert "Rien n'a été importé : 1 problème trouvé.\n" in result.output
    assert "\n  ligne 2 : country: Code de pays inconnu « XX »" in result.output
    assert "line" not in result.output
