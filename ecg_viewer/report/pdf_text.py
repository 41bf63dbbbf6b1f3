"""Text helpers for the PDF report: the sheet's coordinates (mm from the top-left, y down) and
Japanese-aware fitting and wrapping with the embedded IPAexGothic."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence

from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen.canvas import Canvas

from ecg_viewer.core.line_breaks import bad_break
from ecg_viewer.core.paths import font_path

FONT = "IPAexGothic"
SYMBOL_FONT = "ecg-viewer-Vera"  # ≥ ≤ on an English sheet (IPAex Gothic has only ≧ ≦)
_symbol_font: str | None = None  # SYMBOL_FONT once registered, "" when it could not be
_LANG_ATTR = "_ecg_viewer_lang"  # the sheet's language, on its canvas (set_sheet_language)
log = logging.getLogger(__name__)
SHEET_W_PT, SHEET_H_PT = landscape(A4)
SHEET_W_MM, SHEET_H_MM = 297.0, 210.0
MARGIN_MM = 8.0


def register_font() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(font_path())))
    global _symbol_font
    if _symbol_font is None:
        try:  # Bitstream Vera comes with reportlab (reportlab/fonts); without it ">=" is drawn
            pdfmetrics.registerFont(TTFont(SYMBOL_FONT, "Vera.ttf"))
            _symbol_font = SYMBOL_FONT
        except (OSError, TTFError):
            log.warning("reportlab's Vera.ttf not found: >= and <= for the English sheet's ≥ ≤")
            _symbol_font = ""


def set_sheet_language(c: Canvas, lang: str) -> None:
    """The language of the sheets drawn on ``c`` (:func:`text_at`: ≥ ≤ in English)."""
    setattr(c, _LANG_ATTR, lang)


def y_pt(y_mm: float) -> float:
    return SHEET_H_PT - y_mm * mm


def text_at(c: Canvas, x_mm: float, y_mm: float, text: str, size: float = 8.0,
          color: Color | None = None) -> None:
    c.setFillColor(color or Color(0, 0, 0))
    if getattr(c, _LANG_ATTR, "ja") != "en" or not _TRUE_FORMS.search(text):
        c.setFont(FONT, size)
        c.drawString(x_mm * mm, y_pt(y_mm), text.translate(FONT_SUBSTITUTES))
        return
    # an English sheet: ≥ ≤ from the symbol font (">=" without it), not the JIS forms ≧ ≦ of
    # IPAex Gothic, which read as Japanese in an English report (QA 67)
    x = x_mm * mm
    for part in _TRUE_FORMS.split(text):
        font = FONT
        if part in _ASCII_FORMS:
            part, font = (part, _symbol_font) if _symbol_font else (_ASCII_FORMS[part], FONT)
        if part:
            c.setFont(font, size)
            c.drawString(x, y_pt(y_mm), part)
            x += pdfmetrics.stringWidth(part, font, size)


# characters the bundled IPAex Gothic lacks, drawn as the JIS forms it has (criteria "≥ 3.5 mV");
# an English sheet draws the true forms from SYMBOL_FONT (text_at)
FONT_SUBSTITUTES = str.maketrans({"≥": "≧", "≤": "≦"})
_TRUE_FORMS = re.compile("([≥≤])")
_ASCII_FORMS = {"≥": ">=", "≤": "<="}


def fits(text: str, width_mm: float, size: float) -> bool:
    """Whether ``text`` (as drawn, the font's substitutes in) fits ``width_mm`` at ``size``."""
    return _width(text, size) <= width_mm * mm


def fit_text(text: str, width_mm: float, size: float) -> str:
    """Cut ``text`` with an ellipsis so that it fits ``width_mm``. ≥ ≤ are kept (measured as
    the forms drawn in their place): :func:`text_at` draws them as the sheet's language writes
    them (QA 70: cut or wrapped here first, an English sheet's evidence printed 「≧ 50/min」)."""
    if fits(text, width_mm, size):
        return text
    while text and not fits(text + "…", width_mm, size):
        text = text[:-1]
    return text + "…"


def _width(text: str, size: float) -> float:
    """The width of ``text`` in points as :func:`text_at` draws it (≥ ≤ as their JIS forms)."""
    return pdfmetrics.stringWidth(text.translate(FONT_SUBSTITUTES), FONT, size)


def fit_size(text: str, width_mm: float, size: float, smallest: float) -> tuple[str, float]:
    """``text`` and the largest size from ``size`` down to ``smallest`` (0.5 pt steps) at which
    it fits ``width_mm``; cut with an ellipsis at ``smallest`` when it fits at none (a table
    cell: a long English label name is read whole a little smaller rather than cut)."""
    while size > smallest and not fits(text, width_mm, size):
        size = max(smallest, size - 0.5)
    return fit_text(text, width_mm, size), size


def wrap_text(text: str, width_mm: float, size: float,
              max_lines: int | None = None) -> list[str]:
    """Break Japanese/English text into lines of at most ``width_mm``: Japanese anywhere, a
    run of Latin letters, digits and signs (an English word) at the space before it where the
    line has one; with ``max_lines``, at most that many, the last one carrying the rest cut with
    an ellipsis (so that a reader sees text is missing)."""
    lines: list[str] = []
    for para in text.splitlines() or [""]:
        line = ""
        for ch in para:
            if _width(line + ch, size) > width_mm * mm and line:
                cut = _break_at(line, ch)
                lines.append(line[:cut].rstrip())
                line = (line[cut:] + ch).lstrip()
            else:
                line += ch
        lines.append(line)
    if max_lines is None or len(lines) <= max_lines:
        return lines
    # where the kept lines end in the text (a break drops only the blank it fell on)
    end = 0
    for line in lines[: max_lines - 1]:
        end = text.index(line, end) + len(line)
    return [*lines[: max_lines - 1], fit_text(text[end:].lstrip(), width_mm, size)]


def _latin(ch: str) -> bool:
    return ch.isascii() and not ch.isspace()


def _break_at(line: str, ch: str) -> int:
    """Where ``line`` breaks when ``ch`` no longer fits: after its last space when ``ch``
    continues an English word (and the line holds more than that word), else at its end; then
    moved back (a few characters at most) until the break is not a bad one
    (:func:`~ecg_viewer.core.line_breaks.bad_break`:
    "…41" / "ms）" and a lone "）" were printed in the referral's reasons)."""
    cut = len(line)
    if _latin(ch) and _latin(line[-1]):
        space = line.rfind(" ")
        if space > 0:
            cut = space + 1
    for _ in range(8):
        if cut <= 1 or not bad_break(line[:cut], line[cut:] + ch):
            break
        cut -= 1
    return cut if cut >= 1 else len(line)


def bullet(lang: str) -> str:
    """The mark before a list item: ・ in Japanese, a dash in English."""
    return "・" if lang == "ja" else "- "


def bullet_list(items: Sequence[str], width_mm: float, size: float, lang: str, max_lines: int,
                more: Callable[[int], str], item_lines: int = 3) -> list[str]:
    """``items`` as a bulleted list of at most ``max_lines`` lines: each item on up to
    ``item_lines`` lines (a longer one cut with an ellipsis), its wrapped lines indented under
    its text, as many whole items as fit, then ``more(n)`` for the ``n`` left out (its line kept
    free while items remain)."""
    mark = bullet(lang)
    indent = "　" if lang == "ja" else "  "  # the width of the mark
    text_w = width_mm - pdfmetrics.stringWidth(mark, FONT, size) / mm
    out: list[str] = []
    for i, item in enumerate(items):
        lines = wrap_text(item, text_w, size, item_lines)
        last = i == len(items) - 1
        if len(out) + len(lines) + (0 if last else 1) > max_lines:
            out.append(more(len(items) - i))
            break
        out += [mark + lines[0], *(indent + ln for ln in lines[1:])]
    return out
