"""The visa invitation letter as a PDF: a pure builder, data in, bytes out.

One A4 page for ordinary content: the organiser's letterhead (logo, name, address, contact
line), reference and date, the addressee, the invitation, the passport data, the closing
and the signatory with room to sign and stamp (an uploaded signature image is drawn above
the name). When long texts (the longest names, titles and addresses the forms allow) do
not fit, everything is set smaller, step by step, until they do; if even the smallest
size needs a second page, the closing paragraph goes with the signature, so no page
holds the signature alone.

Written in the delegate's language (``LetterData.language``: en, fr, es, pt or ar; the
strings are translated when the letter is built in an app context). Arabic is set right
to left: fpdf2's bidi algorithm and HarfBuzz shaping (uharfbuzz), the way badges and the
funders' report draw it, with the layout mirrored (logo on the right, labels right).
Names come in every script: the fonts of confapp.pdf (vendored Noto with fallbacks).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import unicodedata
from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import TYPE_CHECKING

from flask import has_app_context
from flask_babel import gettext as _

from confapp.i18n import N_
from confapp.pdf import HAS_SHAPING
from confapp.pdf import PT
from confapp.pdf import FontSet
from confapp.pdf import font_set
from confapp.pdf import install_fonts
from confapp.pdf import lines_of_paragraph
from confapp.pdf import needs_shaping

if TYPE_CHECKING:
    from fpdf import FPDF

DEFAULT_PURPOSE = N_(
    "To attend the conference as a registered delegate: its plenary and parallel "
    "sessions, business networking meetings and the organised visits to industrial "
    "clusters."
)

RTL_LANGUAGES = frozenset({"ar"})
FAMILY = "letter"

# Page geometry (mm): A4 with margins; the footer (partners) sits above the bottom margin.
PAGE_W, PAGE_H = 210.0, 297.0
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 20.0, 14.0, 12.0
# Sizes are multiplied by the first of these scales at which the letter fits one page.
SCALES = (1.0, 0.94, 0.88, 0.82, 0.77, 0.72, 0.67)
INK = (33, 37, 41)
GREY = (95, 103, 112)
RULE = (31, 80, 150)


def _has_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(char) in ("R", "AL") for char in text)


@dataclass(frozen=True)
class LetterData:
    """Everything printed on one letter."""

    reference: str
    issued_on: dt.date
    event_title: str
    starts_on: dt.date
    ends_on: dt.date
    venue: str
    city: str
    country_name: str
    passport_name: str
    passport_number: str
    nationality_name: str
    date_of_birth: dt.date
    organisation: str = ""
    purpose: str = ""
    signatory: str = ""
    partners: Sequence[str] = field(default_factory=tuple)
    contact_email: str = ""
    # The passport's issue and expiry dates and place (absent on requests made before
    # they were asked: those rows are left out).
    passport_issued_on: dt.date | None = None
    passport_expires_on: dt.date | None = None
    passport_issue_place: str = ""
    # The letterhead (documents settings): organiser, postal address, contact line,
    # logo and signature image files.
    organiser_name: str = ""
    organiser_address: str = ""
    letter_contact: str = ""
    logo_path: str | None = None
    signature_path: str | None = None
    # The language the letter is written in (the delegate's).
    language: str = "en"


_EN_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
)  # fmt: skip


def long_date(day: dt.date) -> str:
    """A day in words in the current language: "3 April 1990", "3 avril 1990"."""
    from babel.dates import format_date
    from flask_babel import get_locale

    locale = get_locale() if has_app_context() else None
    if locale is None or locale.language == "en":
        return f"{day.day} {_EN_MONTHS[day.month - 1]} {day.year}"
    return format_date(day, "long", locale=locale)


def _event_dates(starts_on: dt.date, ends_on: dt.date) -> str:
    """The event's days with months written out, as a formal letter has them (CLDR's
    ranges abbreviate months in some languages: "20–22 févr. 2027")."""
    if starts_on == ends_on:
        return long_date(starts_on)
    if (starts_on.year, starts_on.month) == (ends_on.year, ends_on.month):
        return f"{starts_on.day}–{long_date(ends_on)}"
    return f"{long_date(starts_on)} – {long_date(ends_on)}"


@contextlib.contextmanager
def _written_in(language: str) -> Iterator[None]:
    """Translate the letter's strings into its language (English outside an app)."""
    if not has_app_context():
        yield
        return
    from confapp.i18n import force_language

    with force_language(language):
        yield


@dataclass(frozen=True)
class _Texts:
    """The letter's words in its language, worked out once for every attempt at a size."""

    title: str
    letterhead: str
    address: str
    contact: str
    reference: str
    date: str
    addressee: tuple[str, str]
    subject: str
    body: tuple[str, ...]
    rows: tuple[tuple[str, str], ...]
    closing: str
    farewell: str
    signatory: str
    on_behalf: str
    partners: str

    def all(self) -> tuple[str, ...]:
        """Every string drawn (to pick the fonts they need)."""
        flat = [value for value in vars(self).values() if isinstance(value, str)]
        flat += list(self.addressee) + list(self.body)
        flat += [text for row in self.rows for text in row]
        return tuple(flat)


def _compose(data: LetterData) -> _Texts:
    place = ", ".join(p for p in (data.venue, data.city, data.country_name) if p)
    event = data.event_title
    start, end = long_date(data.starts_on), long_date(data.ends_on)
    if data.organisation:
        invitation = _(
            "We are pleased to confirm that the person named below, of %(organisation)s, is "
            "registered for %(event)s, which takes place from %(start)s to %(end)s at "
            "%(place)s. We kindly request that the necessary visa be granted.",
            organisation=data.organisation, event=event, start=start, end=end, place=place,
        )  # fmt: skip
    else:
        invitation = _(
            "We are pleased to confirm that the person named below is registered for "
            "%(event)s, which takes place from %(start)s to %(end)s at %(place)s. We kindly "
            "request that the necessary visa be granted.",
            event=event, start=start, end=end, place=place,
        )  # fmt: skip
    purpose = " ".join((data.purpose or _(DEFAULT_PURPOSE)).split())
    body = (
        _("Dear Sir or Madam,"),
        invitation,
        _("Purpose of the visit: %(purpose)s", purpose=purpose),
    )
    rows = [
        (_("Name as in passport"), data.passport_name),
        (_("Date of birth"), long_date(data.date_of_birth)),
        (_("Nationality"), data.nationality_name),
        (_("Passport number"), data.passport_number),
    ]
    if data.passport_issued_on:
        rows.append((_("Date of issue"), long_date(data.passport_issued_on)))
    if data.passport_expires_on:
        rows.append((_("Date of expiry"), long_date(data.passport_expires_on)))
    if data.passport_issue_place:
        rows.append((_("Place of issue"), data.passport_issue_place))
    rows += [
        (_("Event dates"), _event_dates(data.starts_on, data.ends_on)),
        (_("Venue"), place),
    ]
    contact = data.letter_contact or data.contact_email
    closing = _(
        "This letter does not commit the organisers to any financial obligation for the "
        "delegate's travel, accommodation or stay. The delegate is responsible for their "
        "own expenses unless agreed otherwise in writing."
    )
    if contact:
        closing += " " + _(
            "To confirm this letter, contact the organisers quoting reference %(reference)s: "
            "%(contact)s.",
            contact=contact, reference=data.reference,
        )  # fmt: skip
    organiser = data.organiser_name or (data.partners[0] if data.partners else "")
    address = " · ".join(
        line.strip() for line in data.organiser_address.splitlines() if line.strip()
    )
    return _Texts(
        title=_("Invitation letter %(reference)s", reference=data.reference),
        letterhead=data.organiser_name or event,
        address=address,
        contact=data.letter_contact,
        reference=_("Reference: %(reference)s", reference=data.reference),
        date=_("Date: %(date)s", date=long_date(data.issued_on)),
        addressee=(
            _("To the Consular Officer"),
            _("Embassy or Consulate of %(country)s", country=data.country_name)
            if data.country_name
            else _("Embassy or Consulate"),
        ),
        subject=_("Subject: Invitation to %(event)s", event=event),
        body=body,
        rows=tuple(rows),
        closing=closing,
        farewell=_("Yours faithfully,"),
        signatory=data.signatory or _("The organisers of %(event)s", event=event),
        on_behalf=_("On behalf of %(organiser)s", organiser=organiser) if organiser else "",
        partners=_("Organised by %(partners)s", partners=" · ".join(data.partners))
        if data.partners
        else "",
    )


def build_letter(data: LetterData, *, fonts: FontSet | None = None) -> bytes:
    """Render the invitation letter and return the PDF bytes (one page when it can be)."""
    with _written_in(data.language):
        texts = _compose(data)
    fonts = (fonts or font_set({})).for_texts(texts.all())
    # Most letters fit at full size: one drawing. Others: the largest scale that fits,
    # found by bisection (three more drawings at most).
    pdf = _Letter(data, texts, fonts, SCALES[0]).draw()
    if pdf.page > 1:
        low, high, best = 1, len(SCALES) - 1, None
        while low <= high:
            middle = (low + high) // 2
            attempt = _Letter(data, texts, fonts, SCALES[middle]).draw()
            if attempt.page == 1:
                best, high = attempt, middle - 1
            else:
                low = middle + 1
        pdf = best or _Letter(data, texts, fonts, SCALES[-1]).draw()
    return bytes(pdf.output())


class _Letter:
    """One attempt at drawing the letter at a scale of its sizes."""

    def __init__(self, data: LetterData, texts: _Texts, fonts: FontSet, scale: float) -> None:
        self.data = data
        self.texts = texts
        self.fonts = fonts
        self.scale = scale
        self.rtl = data.language in RTL_LANGUAGES
        self.width = PAGE_W - 2 * MARGIN_X

    # --- helpers -------------------------------------------------------------------------

    def _size(self, points: float) -> float:
        return points * self.scale

    def _font(self, style: str, points: float) -> float:
        """Set the font; returns the line height (mm) for it."""
        size = self._size(points)
        self.pdf.set_font(FAMILY, style, size)
        return size * PT * 1.45

    def _x(self, left: float, width: float) -> float:
        """The x of a box `left` mm from the reading start of the text column."""
        if self.rtl:
            return PAGE_W - MARGIN_X - left - width
        return MARGIN_X + left

    @property
    def _start(self) -> str:
        return "R" if self.rtl else "L"

    @property
    def _end(self) -> str:
        return "L" if self.rtl else "R"

    def _paragraph(
        self,
        text: str,
        points: float,
        style: str = "",
        *,
        left: float = 0,
        width: float | None = None,
        colour: tuple[int, int, int] = INK,
    ) -> None:
        pdf = self.pdf
        line = self._font(style, points)
        width = self.width - left if width is None else width
        pdf.set_text_color(*colour)
        for text_line in self._wrap(text, width - 2 * pdf.c_margin):
            pdf.set_x(self._x(left, width))
            self._cell(width, line, text_line, self._start, new_x="LMARGIN", new_y="NEXT")

    def _shaping(self, text: str) -> None:
        """Shape (and run bidi on) the texts that need it, in the letter's direction.

        Latin-only lines are drawn unshaped, which is faster.
        """
        if not HAS_SHAPING:
            return
        if needs_shaping(text) or _has_rtl(text):
            direction = "rtl" if self.rtl else "ltr"
            current = self.pdf.text_shaping
            if not current or current.get("direction") != direction:
                self.pdf.set_text_shaping(True, direction=direction)
        else:
            self.pdf.text_shaping = None

    def _measure(self, text: str) -> float:
        self._shaping(text)
        return self.pdf.get_string_width(text)

    def _cell(self, w: float, h: float, text: str, align: str, **kwargs) -> None:
        pdf = self.pdf
        self._shaping(text)
        # fpdf2 2.8 draws a line that switches to a fallback font inside q … Q, which
        # restores the PDF's font at Q, yet it remembers the last font it switched to as
        # current and skips the next Tf: the next line's glyph codes then index the wrong
        # font (Latin words of an Arabic letter printed as gibberish after a bold line).
        # Naming the font again outside q … Q puts the PDF and fpdf2 back in step.
        style, size = pdf.font_style, pdf.font_size_pt
        pdf.set_font(FAMILY, style, size + 0.01)
        pdf.set_font(FAMILY, style, size)
        pdf.cell(w, h, text, align=align, **kwargs)

    def _wrap(self, text: str, width: float) -> list[str]:
        """Lines of the text at the current font, broken between words in reading order.

        Each line is then drawn as a cell of its own, which fpdf2 reorders (bidi) and
        shapes: its multi_cell mangled Latin words wrapped inside right-to-left text. In
        Arabic, each line keeps its paragraph's direction (lines_of_paragraph): a wrapped
        Latin end of an Arabic sentence ("visa@example.org.") reads right to left.
        """
        measure = self._measure
        space = measure(" ")
        # Words are measured one by one (shaping does not join across spaces); a little
        # slack covers kerning between a word and its neighbours.
        width *= 0.995
        wrapped: list[str] = []
        for paragraph in text.splitlines() or [""]:
            lines: list[str] = []
            line, used = "", 0.0
            for word in paragraph.split():
                size = measure(word)
                if line and used + space + size <= width:
                    line, used = f"{line} {word}", used + space + size
                    continue
                if line:
                    lines.append(line)
                line, used = word, size
                while used > width and len(line) > 1:
                    # A word wider than the column (a long address, an e-mail): cut it.
                    cut = len(line) - 1
                    while cut > 1 and measure(line[:cut]) > width:
                        cut -= 1
                    lines.append(line[:cut])
                    line = line[cut:]
                    used = measure(line)
            lines.append(line)
            if self.rtl:
                # An Arabic sentence reads right to left; a Latin value (an address, a
                # name) keeps the direction of its first letter.
                direction = "rtl" if _has_rtl(paragraph) else None
                lines = lines_of_paragraph(paragraph, lines, direction)
            wrapped += lines
        return wrapped

    def _image(self, path: str, x: float, y: float, max_w: float, max_h: float) -> float:
        """Draw an image inside a box, keeping its proportions; return its height."""
        from PIL import Image

        with Image.open(path) as image:
            width, height = image.size
        w = min(max_w, max_h * width / height)
        h = w * height / width
        self.pdf.image(path, x=x if not self.rtl else x + max_w - w, y=y, w=w, h=h)
        return h

    # --- the page ------------------------------------------------------------------------

    def draw(self) -> FPDF:
        """Draw the whole letter; the caller checks whether it stayed on one page."""
        from fpdf import FPDF  # here: see the note on imports in confapp/pdf.py

        pdf = self.pdf = FPDF(format="A4")
        data, texts = self.data, self.texts
        pdf.set_title(texts.title)
        pdf.set_author(data.organiser_name or data.signatory or data.event_title)
        pdf.set_lang(data.language)
        pdf.set_creation_date(dt.datetime.combine(data.issued_on, dt.time(), tzinfo=dt.UTC))
        pdf.set_margins(MARGIN_X, MARGIN_TOP, MARGIN_X)
        footer = self._footer_height()
        pdf.set_auto_page_break(auto=True, margin=MARGIN_BOTTOM + footer)
        install_fonts(pdf, FAMILY, self.fonts)
        pdf.add_page()
        self._letterhead()
        self._heading()
        for paragraph in texts.body:
            self._paragraph(paragraph, 10.5)
            pdf.ln(self._size(2.5))
        self._passport_rows()
        pdf.ln(self._size(4))
        # The closing words travel with the signature: never a page with the signature alone.
        if pdf.get_y() + self._closing_height() > pdf.page_break_trigger:
            pdf.add_page()
        self._paragraph(texts.closing, 10)
        pdf.ln(self._size(4))
        self._paragraph(texts.farewell, 10.5)
        self._signature()
        if footer:
            self._footer(footer)
        return pdf

    def _letterhead(self) -> None:
        pdf, data, texts = self.pdf, self.data, self.texts
        top = pdf.get_y()
        logo_w, logo_h = self._size(42), self._size(24)
        text_left = 0.0
        drawn_h = 0.0
        if data.logo_path:
            drawn_h = self._image(data.logo_path, self._x(0, logo_w), top, logo_w, logo_h)
            text_left = logo_w + 6
        width = self.width - text_left
        pdf.set_y(top)
        self._paragraph(texts.letterhead, 14, "B", left=text_left, width=width, colour=RULE)
        if texts.address:
            self._paragraph(texts.address, 9, left=text_left, width=width, colour=GREY)
        if texts.contact:
            self._paragraph(texts.contact, 9, left=text_left, width=width, colour=GREY)
        bottom = max(pdf.get_y(), top + drawn_h) + self._size(3)
        pdf.set_draw_color(*RULE)
        pdf.set_line_width(0.6)
        pdf.line(MARGIN_X, bottom, PAGE_W - MARGIN_X, bottom)
        pdf.set_y(bottom + self._size(5))

    def _heading(self) -> None:
        pdf, texts = self.pdf, self.texts
        line = self._font("", 10.5)
        pdf.set_text_color(*INK)
        half = self.width / 2
        y = pdf.get_y()
        pdf.set_xy(self._x(0, half), y)
        self._cell(half, line, texts.reference, self._start)
        pdf.set_xy(self._x(half, half), y)
        self._cell(half, line, texts.date, self._end)
        pdf.set_y(y + line + self._size(4))
        self._paragraph(texts.addressee[0], 11, "B")
        self._paragraph(texts.addressee[1], 11)
        pdf.ln(self._size(3))
        self._paragraph(texts.subject, 11, "B")
        pdf.ln(self._size(2))

    def _passport_rows(self) -> None:
        pdf = self.pdf
        label_w = self._size(48)
        value_w = self.width - label_w
        pdf.set_draw_color(200, 205, 212)
        pdf.set_line_width(0.2)
        for label, value in self.texts.rows:
            line = self._font("B", 10)
            label_lines = self._wrap(label, label_w - 2 * pdf.c_margin)
            self._font("", 10)
            value_lines = self._wrap(value, value_w - 2 * pdf.c_margin)
            rows = max(len(value_lines), len(label_lines))
            if pdf.get_y() + rows * line > pdf.page_break_trigger:
                pdf.add_page()  # a row is never split between pages
            y = pdf.get_y()
            pdf.set_text_color(*INK)
            for n, text_line in enumerate(value_lines):
                pdf.set_xy(self._x(label_w, value_w), y + n * line)
                self._cell(value_w, line, text_line, self._start)
            self._font("B", 10)
            pdf.set_text_color(*GREY)
            for n, text_line in enumerate(label_lines):
                pdf.set_xy(self._x(0, label_w), y + n * line)
                self._cell(label_w, line, text_line, self._start)
            bottom = y + rows * line + self._size(0.8)
            pdf.line(MARGIN_X, bottom, PAGE_W - MARGIN_X, bottom)
            pdf.set_y(bottom + self._size(0.8))
        pdf.set_text_color(*INK)

    def _height(self, text: str, points: float, style: str = "", width: float | None = None):
        line = self._font(style, points)
        width = self.width if width is None else width
        return line * len(self._wrap(text, width - 2 * self.pdf.c_margin))

    def _closing_height(self) -> float:
        """The height of the closing paragraph, the farewell and the signature block."""
        texts = self.texts
        block_w = self.width - self._size(45)
        return (
            self._height(texts.closing, 10)
            + self._size(4)
            + self._height(texts.farewell, 10.5)
            + self._size(2 + 20 + 1 + 1.5)
            + self._height(texts.signatory, 10.5, "B", block_w)
            + (self._height(texts.on_behalf, 9.5, "", block_w) if texts.on_behalf else 0)
        )

    def _signature(self) -> None:
        pdf, data, texts = self.pdf, self.data, self.texts
        # Room to sign (or the uploaded signature) and, beside it, for the official stamp.
        sign_w, sign_h = self._size(60), self._size(20)
        y = pdf.get_y() + self._size(2)
        if data.signature_path:
            self._image(data.signature_path, self._x(0, sign_w), y, sign_w, sign_h)
        pdf.set_y(y + sign_h + self._size(1))
        pdf.set_draw_color(*GREY)
        pdf.set_line_width(0.3)
        line_y = pdf.get_y()
        x = self._x(0, sign_w)
        pdf.line(x, line_y, x + sign_w, line_y)
        pdf.set_y(line_y + self._size(1.5))
        block_w = self.width - self._size(45)  # the stamp's room on the other side
        self._paragraph(texts.signatory, 10.5, "B", width=block_w)
        if texts.on_behalf:
            self._paragraph(texts.on_behalf, 9.5, width=block_w, colour=GREY)

    def _lines(self, text: str) -> list[str]:
        return self._wrap(text, self.width - 2 * self.pdf.c_margin)

    def _footer_height(self) -> float:
        if not self.texts.partners:
            return 0.0
        return 2 * self._size(8) * PT * 1.45 + self._size(3)

    def _footer(self, height: float) -> None:
        """The organising partners at the foot of the first page (two lines at most)."""
        pdf = self.pdf
        page = pdf.page
        pdf.page = 1
        auto, margin = pdf.auto_page_break, pdf.b_margin
        pdf.set_auto_page_break(False)
        top = PAGE_H - MARGIN_BOTTOM - height
        pdf.set_draw_color(200, 205, 212)
        pdf.set_line_width(0.2)
        pdf.line(MARGIN_X, top, PAGE_W - MARGIN_X, top)
        pdf.set_y(top + self._size(1.5))
        line = self._font("", 8)
        pdf.set_text_color(*GREY)
        lines = self._lines(self.texts.partners)
        if len(lines) > 2:
            # Two lines at most: the words that fit, then an ellipsis.
            words = " ".join(lines[:2]).split()
            while len(words) > 1 and len(self._lines(" ".join(words) + "…")) > 2:
                words.pop()
            lines = self._lines(" ".join(words).rstrip(" ·") + "…")
        for text_line in lines:
            pdf.set_x(MARGIN_X)
            self._cell(self.width, line, text_line, "C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_auto_page_break(auto, margin=margin)
        pdf.page = page
