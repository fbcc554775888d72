"""Nothing lands English-only: every string marked in the code and templates is translated
into French, Spanish, Portuguese and Arabic, none fuzzy, and the committed .mo files match."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def _tool():
    spec = importlib.util.spec_from_file_location("i18n_tool", ROOT / "tools" / "i18n.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_message_is_translated_in_every_language(tmp_path):
    tool = _tool()
    pot = tmp_path / "messages.pot"
    tool.extract(pot)
    assert pot.stat().st_size > 0
    found = tool.problems(pot)
    assert found == [], "\n".join(found[:50]) + "\n(run: python tools/i18n.py, then translate)"


# --- strings a person reads that were never marked -----------------------------------------

# Calls whose first argument (or `message=`) is read by a delegate or an organiser: a plain
# string literal there is English whatever the reader's language.
_READ_BY_PEOPLE = {
    # pages and forms
    "flash", "ValidationFailed", "DomainError", "ValidationError", "DataRequired",
    "InputRequired", "Email",
    # organisers' commands
    "ClickException", "UsageError", "BadParameter", "echo", "secho",
}  # fmt: skip
# Validators whose first argument is not the message (a length, a pattern, a field name).
_MESSAGE_KEYWORD_ONLY = {
    "Length", "NumberRange", "Regexp", "EqualTo", "URL", "AnyOf", "NoneOf",
    "send_mail",  # its subject: the second argument
}  # fmt: skip

# Modules whose messages are for whoever installs and runs the server, not organisers.
_FOR_OPERATORS = {
    "confapp/demo/cli.py",  # the newcomer trying the demo on a terminal
    "confapp/jobs/cli.py",  # `confapp worker`, started by the deployment
    "confapp/mail/__init__.py",  # a start-up warning about CONFAPP_BASE_URL
}


def _words(node) -> bool:
    import ast
    import re

    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return re.search(r"[A-Za-z]{2,}\W+[A-Za-z]", node.value) is not None
    if isinstance(node, ast.JoinedStr):
        return any(_words(part) for part in node.values)
    if isinstance(node, ast.BinOp):
        return _words(node.left) or _words(node.right)
    return False


def _unmarked(path: Path) -> list[str]:
    import ast

    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name not in _READ_BY_PEOPLE | _MESSAGE_KEYWORD_ONLY:
            continue
        texts = [k.value for k in node.keywords if k.arg in ("message", "subject")]
        if name in _READ_BY_PEOPLE:
            texts += node.args[:1]
        if name == "send_mail":  # send_mail(to, subject, template, ...)
            texts += node.args[1:2]
        found += [
            f"{path.relative_to(ROOT)}:{node.lineno}: {name}({ast.unparse(text)[:70]})"
            for text in texts
            if _words(text)
        ]
    return found


def test_no_message_for_people_is_a_plain_string():
    """Flashes, validation and domain errors and organisers' command output go through
    gettext: a literal passed straight to them would stay English in every language."""
    found = [
        line
        for path in sorted((ROOT / "confapp").rglob("*.py"))
        if str(path.relative_to(ROOT)) not in _FOR_OPERATORS
        for line in _unmarked(path)
    ]
    assert found == [], "mark these for translation:\n" + "\n".join(found)


def test_the_checker_finds_a_plain_string(tmp_path):
    sample = ROOT / "confapp" / "_sample_for_test.py"
    try:
        sample.write_text(
            'flash("Saved it.")\nflash(_("Saved it."))\n'
            'raise DomainError(f"No event {slug}.")\nDataRequired(message="Enter a name.")\n'
            'Regexp("^[a-z]+ [a-z]$")\nLength(max=3, message="Too long, sorry.")\n'
            'send_mail(to, "Your badge is ready", "badge")\nsend_mail(to, _("Hi there"), "x")\n'
        )
        found = _unmarked(sample)
    finally:
        sample.unlink()
    assert [line.split(":")[1] for line in found] == ["1", "3", "4", "6", "7"]


# --- counts said with "(s)" -----------------------------------------------------------------

# WTForms' own message: the catalogs carry it word for word so that WTForms finds it.
_WTFORMS_MSGID = "Invalid choice(s): one or more data inputs could not be coerced."
# A plural faked in a translation: délégué·e(s), nouveau(x), reunión(es), perfil(is),
# reunião(ões), Falta(n). Not gender marks such as inscrito(a), not placeholders (%(n)s).
_FAKED_PLURAL = re.compile(r"[^\W\d_]\((?:s|x|es|is|ões|n)\)")


def _texts(message) -> tuple[str, ...]:
    value = message if isinstance(message, (tuple, list)) else (message,)
    return tuple(text for text in value if text)


def test_no_message_fakes_a_plural_with_s_in_brackets(tmp_path):
    """A count in a message takes ngettext or lazy_ngettext (two counts: two ngettext phrases
    in one gettext frame): "delegate(s)" reads badly in every language, worst in Arabic."""
    tool = _tool()
    pot = tmp_path / "messages.pot"
    tool.extract(pot)
    with pot.open("rb") as handle:
        template = read_po(handle)
    found = [
        text
        for message in template
        if message.id and message.id != _WTFORMS_MSGID
        for text in _texts(message.id)
        if "(s)" in text or "(x)" in text
    ]
    assert found == [], "say these counts with ngettext:\n" + "\n".join(found)


def test_no_translation_fakes_a_plural():
    """A translation takes the plural form of its count (its msgstr[n]), or says the count
    as a label and its number ("annulées : 2"), never "annulée(s)"."""
    tool = _tool()
    found = []
    for language in tool.LANGUAGES:
        with tool.catalog_path(language).open("rb") as handle:
            catalog = read_po(handle, locale=language)
        found += [
            f"{language}: {text}"
            for message in catalog
            if message.id
            for text in _texts(message.string)
            if _FAKED_PLURAL.search(text)
        ]
    assert found == [], "\n".join(found)


def test_the_faked_plural_pattern():
    faked = ["délégué·e(s)", "nouveau(x)", "reunión(es)", "perfil(is)", "reunião(ões)", "Falta(n)"]
    assert all(_FAKED_PLURAL.search(text) for text in faked)
    fine = ["inscrito(a)", "%(n)s waiting", "(%(count)d)", "Senhor(a)", "(annulées : %(n)d)"]
    assert not any(_FAKED_PLURAL.search(text) for text in fine)
