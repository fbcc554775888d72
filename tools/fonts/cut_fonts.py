"""Cut the PDF fonts that ship inside confapp from Noto fonts on npm.

Run from the repository root (needs npm and fontTools, which fpdf2 already pulls in):

    python tools/fonts/cut_fonts.py            # fetch the pinned npm packages and cut
    python tools/fonts/cut_fonts.py --from DIR # use packages already unpacked under DIR

Each font is subset to the scripts delegates' names are written in, with every
OpenType layout feature kept (Arabic joining and Devanagari conjuncts are done by
HarfBuzz from GSUB/GPOS) and hinting dropped (PDF viewers do not use it). The result
goes to confapp/fonts/ with the licence of each family; confapp.pdf finds the files
through its own package, so `pip install` is all a machine needs.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
OUT = ROOT / "confapp" / "fonts"

# Joiners, direction marks, the dotted circle HarfBuzz shows for a lone mark, NBSP.
SHARED = [0x20, 0xA0, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2010, 0x2011, 0x25CC]


def _ranges(*pairs: tuple[int, int]) -> list[int]:
    return [code for start, end in pairs for code in range(start, end + 1)]


def _gscc_level1() -> list[int]:
    """The 3,500 characters of level 1 of the Table of General Standard Chinese Characters."""
    text = (HERE / "gscc-level1.txt").read_text(encoding="utf-8")
    chars = [c for c in text if not c.isspace()]
    if len(chars) != 3500 or len(set(chars)) != 3500:
        raise SystemExit(f"gscc-level1.txt: expected 3500 distinct characters, got {len(chars)}")
    return [ord(c) for c in chars]


LATIN_GREEK_CYRILLIC = _ranges(
    (0x0000, 0x036F),  # Basic Latin to Spacing Modifiers, combining diacritics
    (0x0370, 0x03FF),  # Greek and Coptic
    (0x0400, 0x052F),  # Cyrillic and Cyrillic Supplement
    (0x1AB0, 0x1AFF),  # Combining Diacritical Marks Extended
    (0x1C80, 0x1C8F),  # Cyrillic Extended-C
    (0x1D00, 0x1DFF),  # Phonetic extensions, combining supplement
    (0x1E00, 0x1FFF),  # Latin Extended Additional (Vietnamese), Greek Extended
    (0x2000, 0x20CF),  # General Punctuation, super/subscripts, currency signs
    (0x2100, 0x218F),  # Letterlike symbols (№, ™), number forms
    (0x2190, 0x21FF),  # Arrows
    (0x2200, 0x22FF),  # Mathematical operators (−, ×, ≤)
    (0x2460, 0x24FF),  # Enclosed alphanumerics
    (0x2500, 0x25FF),  # Box drawing, geometric shapes (•, ○)
    (0x2C60, 0x2C7F),  # Latin Extended-C
    (0x2DE0, 0x2DFF),  # Cyrillic Extended-A
    (0xA640, 0xA69F),  # Cyrillic Extended-B
    (0xA720, 0xA7FF),  # Latin Extended-D
    (0xAB30, 0xAB6F),  # Latin Extended-E
    (0xFB00, 0xFB06),  # Latin ligatures
    (0xFE20, 0xFE2F),  # Combining half marks
    (0xFFFD, 0xFFFD),  # Replacement character
)
ARABIC = SHARED + _ranges(
    (0x0600, 0x06FF),  # Arabic
    (0x0750, 0x077F),  # Arabic Supplement
    (0x0870, 0x08FF),  # Arabic Extended-B and -A
    (0xFB50, 0xFDFF),  # Presentation Forms-A
    (0xFE70, 0xFEFF),  # Presentation Forms-B
)
DEVANAGARI = SHARED + _ranges(
    (0x0900, 0x097F),  # Devanagari
    (0x1CD0, 0x1CFF),  # Vedic Extensions
    (0xA8E0, 0xA8FF),  # Devanagari Extended
    (0x20B9, 0x20B9),  # Indian rupee sign
)
CHINESE = (
    SHARED
    + _gscc_level1()
    + _ranges(
        (0x3000, 0x303F),  # CJK Symbols and Punctuation (、。《》「」)
        (0xFF01, 0xFF5E),  # Fullwidth forms (，：（）)
        (0x00B7, 0x00B7),  # Middle dot between the parts of transcribed names
        (0x2014, 0x2014),
        (0x2026, 0x2026),
    )
)


@dataclass(frozen=True)
class Family:
    """One npm package and what is cut from it."""

    package: str
    version: str
    stem: str  # file stem in the package: NotoSans_400Regular.ttf
    out: str  # file stem in confapp/fonts: NotoSans-Regular.ttf
    unicodes: list[int]


FAMILIES = (
    Family("noto-sans", "0.4.2", "NotoSans", "NotoSans", LATIN_GREEK_CYRILLIC),
    Family("noto-sans-arabic", "0.4.3", "NotoSansArabic", "NotoSansArabic", ARABIC),
    Family("noto-sans-devanagari", "0.4.1", "NotoSansDevanagari", "NotoSansDevanagari", DEVANAGARI),
    Family("noto-sans-sc", "0.4.3", "NotoSansSC", "NotoSansSC", CHINESE),
)
WEIGHTS = (("400Regular", "Regular"), ("700Bold", "Bold"))


def fetch(family: Family, workdir: Path) -> Path:
    """`npm pack` the pinned package and unpack it; return its package/ folder."""
    spec = f"@expo-google-fonts/{family.package}@{family.version}"
    name = subprocess.run(
        ["npm", "pack", spec, "--silent"],
        cwd=workdir,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    target = workdir / family.package
    with tarfile.open(workdir / name) as archive:
        archive.extractall(target, filter="data")
    return target / "package"


def cut(source: Path, target: Path, unicodes: list[int]) -> None:
    """Subset one font file (pyftsubset with every layout feature kept, no hinting)."""
    options = subset.Options()
    options.layout_features = ["*"]
    options.layout_scripts = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.hinting = False
    options.notdef_outline = True
    options.glyph_names = False
    options.drop_tables += ["STAT", "BASE", "vhea", "vmtx", "gasp", "prep", "fpgm", "cvt "]
    font = TTFont(source)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)
    font.save(target)


def main(argv: list[str] | None = None) -> int:
    """Fetch (or reuse) the packages and write the subsets and licences."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--from", dest="source", type=Path, help="folder with one unpacked package per family"
    )
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for family in FAMILIES:
            if args.source:
                package = args.source / family.package / "package"
            else:
                package = fetch(family, Path(tmp))
            for folder, weight in WEIGHTS:
                source = package / folder / f"{family.stem}_{folder}.ttf"
                target = OUT / f"{family.out}-{weight}.ttf"
                cut(source, target, family.unicodes)
                print(f"{target.relative_to(ROOT)}: {target.stat().st_size / 1024:.0f} KiB")
            licence = (package / "LICENSE_FONT").read_text(encoding="utf-8")
            (OUT / f"OFL-{family.out}.txt").write_text(licence, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
