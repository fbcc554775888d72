"""Keep the translation catalogs in step with the code.

    python tools/i18n.py            extract messages, update every catalog, compile .mo files
    python tools/i18n.py --absorb F.po…   take translations from other .po files (after a rebase
                                    conflict), then extract, update and compile
    python tools/i18n.py --check    exit 1 if a catalog lacks a message, has an untranslated or
                                    fuzzy one, or a .mo file is out of date (CI runs the same
                                    check as tests/test_translations.py)

The compiled .mo files are committed beside the .po files, so a plain `pip install` gives
working catalogs with no build step.
"""

from __future__ import annotations

import argparse
import datetime
import io
import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.messages.pofile import write_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = ROOT / "confapp" / "translations"
LANGUAGES = ("fr", "es", "pt", "ar")
# Babel skips folders whose names start with "_" by default, which hid templates/_macros.
IGNORED_DIRS = ".* __pycache__ node_modules"
KEYWORDS = ["-k", "_l", "-k", "lazy_gettext", "-k", "lazy_ngettext:1,2", "-k", "N_"]


def extract(pot: Path) -> None:
    """Write every translatable string of the code and templates to `pot`."""
    subprocess.run(
        [
            sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
            str(ROOT / "babel.cfg"), *KEYWORDS, "--no-location", "--sort-output",
            "--omit-header", "--ignore-dirs", IGNORED_DIRS, "-o", str(pot), str(ROOT),
        ],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )  # fmt: skip


def catalog_path(language: str) -> Path:
    """The .po file of one language."""
    return CATALOGS / language / "LC_MESSAGES" / "messages.po"


def compiled(po_path: Path) -> bytes:
    """The .mo bytes a .po file compiles to."""
    with po_path.open("rb") as handle:
        catalog = read_po(handle)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def problems(pot: Path) -> list[str]:
    """Every way the catalogs fall short of the extracted messages."""
    with pot.open("rb") as handle:
        template = read_po(handle)
    wanted = {m.id for m in template if m.id}
    found: list[str] = []
    for language in LANGUAGES:
        path = catalog_path(language)
        if not path.exists():
            found.append(f"{language}: no catalog at {path}")
            continue
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=language)
        for msgid in sorted(wanted, key=str):
            message = catalog.get(msgid)
            label = msgid if isinstance(msgid, str) else msgid[0]
            if message is None:
                found.append(f"{language}: missing {label!r}")
            elif message.fuzzy:
                found.append(f"{language}: fuzzy {label!r}")
            elif not message.string or (
                isinstance(message.string, tuple) and not all(message.string)
            ):
                found.append(f"{language}: untranslated {label!r}")
        for message, errors in catalog.check():
            found.extend(f"{language}: {message.id!r}: {error}" for error in errors)
        mo = path.with_suffix(".mo")
        if not mo.exists() or mo.read_bytes() != compiled(path):
            found.append(f"{language}: {mo.name} is out of date (run python tools/i18n.py)")
    return found


_STAMP = datetime.datetime(2026, 12, 4, tzinfo=datetime.UTC)


def _settle_header(catalog, language: str) -> None:
    # A fuzzy header is left out of the .mo (with its Plural-Forms); fixed dates keep the
    # files from changing on every run.
    catalog.fuzzy = False
    catalog.project = "confapp"
    catalog.version = "wave 2"
    catalog.creation_date = _STAMP
    catalog.revision_date = _STAMP
    catalog.last_translator = "confapp translators (see translations/GLOSSARY.md)"
    catalog.language_team = f"{language} <https://github.com/confapp>"


def update(pot: Path) -> None:
    """Merge new messages into every catalog (keeping translations) and compile them."""
    with pot.open("rb") as handle:
        template = read_po(handle)
    for language in LANGUAGES:
        path = catalog_path(language)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=language)
            catalog.update(template, no_fuzzy_matching=True)
        else:
            from babel.messages.catalog import Catalog

            catalog = Catalog(locale=language, project="confapp", charset="utf-8")
            catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        _settle_header(catalog, language)
        with path.open("wb") as handle:
            write_po(handle, catalog, width=100, omit_header=False, sort_output=True)
        path.with_suffix(".mo").write_bytes(compiled(path))


def absorb(sources: list[Path]) -> int:
    """Copy translations from other .po files (e.g. your side of a rebase conflict) into the
    catalogs, for messages that have none yet; returns how many were taken."""
    taken = 0
    for source in sources:
        with source.open("rb") as handle:
            other = read_po(handle)
        language = str(other.locale or "").split("_")[0]
        if language not in LANGUAGES:
            raise SystemExit(f"{source}: no known Language header ({language!r})")
        path = catalog_path(language)
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=language)
        for message in other:
            if not message.id or not message.string or message.fuzzy:
                continue
            mine = catalog.get(message.id)
            if mine is None:
                catalog.add(message.id, message.string, context=message.context)
                taken += 1
            elif not mine.string or (isinstance(mine.string, tuple) and not all(mine.string)):
                mine.string = message.string
                taken += 1
        _settle_header(catalog, language)
        with path.open("wb") as handle:
            write_po(handle, catalog, width=100, omit_header=False, sort_output=True)
    return taken


def main() -> int:
    """Extract, then update and compile (or only check with --check)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report what is missing")
    parser.add_argument(
        "--absorb", nargs="+", type=Path, metavar="PO", help="take translations from these files"
    )
    args = parser.parse_args()
    if args.absorb:
        print(f"took {absorb(args.absorb)} translation(s)")
    with tempfile.TemporaryDirectory() as folder:
        pot = Path(folder) / "messages.pot"
        extract(pot)
        if not args.check:
            update(pot)
        found = problems(pot)
    for line in found:
        print(line)
    print(f"{len(found)} problem(s)")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
