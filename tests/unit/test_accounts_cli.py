"""`confapp create-user` and `confapp create-token`."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa

from confapp.accounts.models import ApiToken
from confapp.accounts.models import EventRoleKind
from confapp.accounts.models import User
from confapp.extensions import db
from tests.helpers import make_event
from tests.helpers import make_user


def _user(email):
    return db.session.scalar(sa.select(User).where(User.email == email))


def test_create_organiser_with_generated_password(app, runner):
    with app.app_context():
        make_event("cdc")
        db.session.commit()
    result = runner.invoke(
        args=[
            "create-user",
            "Org@Example.org",
            "--role",
            "organiser",
            "--event",
            "cdc",
            "--name",
            "Olu Org",
        ]
    )
    assert result.exit_code == 0, result.output
    password = result.output.split("Password: ")[1].strip()
    with app.app_context():
        user = _user("org@example.org")
        assert user.full_name == "Olu Org"
        assert user.check_password(password)
        assert [(r.event.slug, r.role) for r in user.roles] == [("cdc", EventRoleKind.ORGANISER)]
        assert not user.is_admin


def test_create_user_reuses_an_account_and_sets_the_given_password(app, runner):
    with app.app_context():
        make_event("cdc")
        make_user("ana@example.org")
        db.session.commit()
    result = runner.invoke(
        args=[
            "create-user",
            "ana@example.org",
            "--role",
            "staff",
            "--event",
            "cdc",
            "--password",
            "chosen password",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Password:" not in result.output
    with app.app_context():
        user = _user("ana@example.org")
        assert user.check_password("chosen password")
        assert user.roles[0].role is EventRoleKind.STAFF
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1


def test_create_admin(app, runner):
    result = runner.invoke(
        args=["create-user", "root@example.org", "--role", "admin", "--password", "a good password"]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert _user("root@example.org").is_admin


def test_create_user_bad_input(app, runner):
    no_event = runner.invoke(args=["create-user", "a@example.org", "--role", "organiser"])
    assert no_event.exit_code != 0 and "--event" in no_event.output
    unknown = runner.invoke(
        args=["create-user", "a@example.org", "--role", "staff", "--event", "nope"]
    )
    assert unknown.exit_code != 0 and "No event" in unknown.output
    bad_role = runner.invoke(args=["create-user", "a@example.org", "--role", "king"])
    assert bad_role.exit_code != 0
    bad_email = runner.invoke(args=["create-user", "not-an-email", "--role", "admin"])
    assert bad_email.exit_code != 0 and "e-mail" in bad_email.output.lower()
    short = runner.invoke(
        args=["create-user", "a@example.org", "--role", "admin", "--password", "short"]
    )
    assert short.exit_code != 0 and "8 characters" in short.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_create_token_prints_a_token(app, runner):
    runner.invoke(
        args=["create-user", "root@example.org", "--role", "admin", "--password", "a good password"]
    )
    result = runner.invoke(args=["create-token", "root@example.org", "--label", "scanner"])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    with app.app_context():
        stored = db.session.scalar(sa.select(ApiToken))
        assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert stored.label == "scanner"


def test_create_token_refuses_delegates_and_unknown_users(app, runner):
    with app.app_context():
        make_user("delegate@example.org")
        db.session.commit()
    delegate = runner.invoke(args=["create-token", "delegate@example.org"])
    assert delegate.exit_code != 0 and "only for staff" in delegate.output
    unknown = runner.invoke(args=["create-token", "ghost@example.org"])
    assert unknown.exit_code != 0 and "No account" in unknown.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == 0


def test_create_user_speaks_the_default_language_of_its_event(app, runner):
    with app.app_context():
        event = make_event("cdc")
        event.default_language = "fr"
        db.session.commit()
    args = ["create-user", "org@example.org", "--role", "organiser", "--event", "cdc"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "Compte org@example.org créé : organisateur·rice de cdc.\n" in result.output
    assert "Mot de passe : " in result.output and "Password" not in result.output
    short = runner.invoke(args=[*args, "--password", "short"])
    assert short.exit_code == 1
    assert short.output == "Erreur : Utilisez au moins 8 caractères.\n"
    again = runner.invoke(args=args)
    assert "Compte org@example.org mis à jour : organisateur·rice de cdc." in again.output


def test_account_commands_about_no_event_speak_the_sites_language(app, runner):
    # CONFAPP_LANGUAGES="fr,en,..." : a French site.
    app.config["LANGUAGES"] = ["fr", "en", "es", "pt", "ar"]
    with app.app_context():
        make_user("delegate@example.org")
        db.session.commit()
    admin = runner.invoke(
        args=["create-user", "root@example.org", "--role", "admin", "--password", "a good password"]
    )
    assert admin.output == "Compte root@example.org créé : administrateur·rice du site.\n"
    no_event = runner.invoke(args=["create-user", "a@example.org", "--role", "staff"])
    assert no_event.exit_code == 1
    assert no_event.output == "Erreur : --event SLUG est nécessaire avec --role staff.\n"
    unknown = runner.invoke(
        args=["create-user", "a@example.org", "--role", "staff", "--event", "x"]
    )
    assert "Erreur : Aucun événement avec l'identifiant 'x'." in unknown.output
    ghost = runner.invoke(args=["create-token", "ghost@example.org"])
    assert ghost.exit_code == 1
    assert ghost.output == "Erreur : Aucun compte avec l'adresse e-mail 'ghost@example.org'.\n"
    delegate = runner.invoke(args=["create-token", "delegate@example.org"])
    assert "Erreur : Les jetons d'API sont réservés à l'équipe d'accueil" in delegate.output
    token = runner.invoke(args=["create-token", "root@example.org"])
    assert token.exit_code == 0 and len(token.output.strip()) > 30  # the token alone


def test_account_commands_help_is_in_the_sites_language(app, runner):
    app.config["LANGUAGES"] = ["fr", "en"]
    user_help = runner.invoke(args=["create-user", "--help"]).output
    assert user_help.startswith("Utilisation : confapp create-user [OPTIONS] EMAIL\n")
    user_help = " ".join(user_help.split())  # as the terminal's width wraps it
    assert "Créer un compte (ou reprendre un compte existant) et lui donner un rôle." in user_help
    assert "Identifiant de l'événement (organisateur·rice et équipe d'accueil)." in user_help
    assert "[obligatoire]" in user_help and "Afficher ce message et quitter." in user_help
    assert "Usage" not in user_help and "required" not in user_help
    token_help = " ".join(runner.invoke(args=["create-token", "--help"]).output.split())
    assert "Afficher un nouveau jeton d'API" in token_help
    assert "À quoi sert le jeton" in token_help
    app.config["LANGUAGES"] = ["en", "fr"]
    english = runner.invoke(args=["create-user", "--help"]).output
    assert english.startswith("Usage: ") and "[required]" in english
    assert "Slug of the event (organiser and staff)." in english
