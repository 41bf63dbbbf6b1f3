"""A one-line label that never widens the window: it asks for its whole text's width, takes less
when the window has less to give, and then shows the text with "…" in its middle (the whole
text on hover), or wrapped on a few lines with the last one elided at its end (``lines``). A plain QLabel asks for its whole width as its minimum, so one long file name,
device string or error message made the window wider than a 1366-px screen or squeezed the
docks beside it."""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFontMetrics, QResizeEvent, QShowEvent
from PySide6.QtWidgets import QAbstractScrollArea, QLabel, QSizePolicy, QStyle, QWidget

from ecg_viewer.core.line_breaks import bad_break

#: the narrowest an elided label becomes unless told otherwise: a text shorter than this is never
#: elided (a device name, a short file name), a longer one keeps about 15 characters
MIN_WIDTH_PX = 120


class ElidedLabel(QLabel):
    """``setText`` keeps the whole text (``full_text()``); what is drawn is elided to the width
    (``mode``: in the middle, which keeps a file name's extension, or at the end).
    ``auto_tooltip``: the whole text is the tooltip while it is elided (off when the caller sets
    its own tooltip)."""

    def __init__(self, parent: QWidget | None = None, *, auto_tooltip: bool = True,
                 shrink_to_zero: bool = False, min_px: int | None = None,
                 mode: Qt.TextElideMode = Qt.TextElideMode.ElideMiddle, lines: int = 1,
                 shorter: Callable[[str], str] | None = None) -> None:
        super().__init__(parent)
        self._lines = lines  # more than one: wrapped (wrap_lines), the last line elided at its end
        self._shorter = shorter  # a shorter form of the text, tried before its end is cut
        self._full = ""
        self._items: tuple[str, ...] = ()  # set_items: elided at whole items
        self._sep = ""
        self._more = "+{n}"
        self._mode = mode
        self._auto_tooltip = auto_tooltip
        self._min_px = 0 if shrink_to_zero else MIN_WIDTH_PX if min_px is None else min_px
        self.setWordWrap(False)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def setText(self, text: str) -> None:  # Qt's name: every caller's setText keeps the whole text
        self._full = str(text)
        self._items = ()
        self.updateGeometry()
        self._elide()

    def set_items(self, items: list[str], sep: str, more: str = "+{n}") -> None:
        """A list (findings with scores): where it does not fit, as many whole items as do and
        ``more`` (its ``{n}``: how many are left out) for the rest, rather than one cut
        mid-name ("● abnormal …")."""
        self.setText(sep.join(items))
        self._items, self._sep, self._more = tuple(items), sep, more
        self._elide()

    def full_text(self) -> str:
        return self._full

    def sizeHint(self) -> QSize:
        m = self.contentsMargins()
        width = self.fontMetrics().horizontalAdvance(self._full) + m.left() + m.right() + 2
        return QSize(width, super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:
        return QSize(min(self._min_px, self.sizeHint().width()), super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._elide()

    def _elide(self) -> None:
        # hidden (not laid out yet) the whole text; elided to its width once shown
        avail = self.contentsRect().width()
        fm = self.fontMetrics()
        if not self.isVisible():
            shown = self._full
        elif self._lines > 1 and not self._items:
            shown = wrap_lines(self._full, fm, max(avail, 0), self._lines)
            if shown.endswith("…") and self._shorter is not None:
                shown = wrap_lines(self._shorter(self._full), fm, max(avail, 0), self._lines)
        else:
            shown = fm.elidedText(self._full, self._mode, max(avail, 0))
        if self._items and shown != self._full:
            for k in range(len(self._items) - 1, 0, -1):
                more = self._more.format(n=len(self._items) - k)
                head = f"{self._sep.join(self._items[:k])}{self._sep}{more}"
                if fm.horizontalAdvance(head) <= avail:
                    shown = head
                    break
            else:  # not even the first whole: it is cut in the middle, keeping its score at the
                # end, and the count of the others stays (QA 37, 150 % English: "● anteroseptal
                # myocardial infarction…" with no score and no "6 more")
                rest = len(self._items) - 1
                tail = f"{self._sep}{self._more.format(n=rest)}" if rest else ""
                room = avail - fm.horizontalAdvance(tail)
                if room > 4 * fm.horizontalAdvance("…"):
                    shown = fm.elidedText(self._items[0], Qt.TextElideMode.ElideMiddle,
                                          room) + tail
        if shown != super().text():
            super().setText(shown)
        if self._auto_tooltip:
            self.setToolTip(self._full if shown.replace("\n", " ") != self._full else "")


#: a line never starts with these (closing brackets and punctuation, small kana, the long-vowel
#: mark: 「ブロッ／ク」) nor ends with an opening bracket
_OPENING = "（(「『【［[〈《"
_CLOSING = "）)」』】］]〉》、。，．：:；;"
_NO_LINE_START = _CLOSING + "・ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶー々ゝゞヽヾ"
_PARTICLES = "のをにとでがはへや"


def _script(ch: str) -> str:
    if "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or ch in "々〆":
        return "kanji"
    if "\u30a0" <= ch <= "\u30ff":
        return "katakana"
    if "\u3040" <= ch <= "\u309f":
        return "hiragana"
    if ch.isascii() and (ch.isalnum() or ch in "-+/.'"):
        return "latin"
    return "other"


def _break_rank(text: str, i: int) -> int:
    """How good a line break before ``text[i]`` is in a name without spaces (0: not allowed):
    3 before an opening bracket or after a closing one or a comma; 2 where the script changes
    (非特異的｜ST-T変化, 完全右脚｜ブロック; not before the kana ending a kanji word, but before
    a particle: 側壁｜の); 1 after 「・」 and inside a run of kanji at an even offset (most
    compounds are made of two-character words: 前壁中隔｜心筋梗塞). Never before a small kana or a closing mark, never after an opening one."""
    a, b = text[i - 1], text[i]
    if b in _NO_LINE_START or a in _OPENING or a.isspace() or b.isspace():
        return 0
    if b in _OPENING or a in _CLOSING:
        return 3
    if a == "・":  # joins a pair (前壁・側壁): a break after it is allowed, not sought
        return 1
    sa, sb = _script(a), _script(b)
    if sa != sb and "other" not in (sa, sb) and (sa, sb) != ("kanji", "hiragana"):
        return 2
    if sa == "kanji" and b in _PARTICLES:  # 前壁・側壁｜の心内膜下傷害 (not 伴｜う)
        return 2
    if sa == sb == "kanji":
        start = i
        while start > 0 and _script(text[start - 1]) == "kanji":
            start -= 1
        end = i
        while end < len(text) and _script(text[end]) == "kanji":
            end += 1
        return 1 if (i - start) % 2 == 0 and end - i >= 2 else 0
    return 0


def _fits(fm: QFontMetrics, text: str, width: int) -> bool:
    """Whether ``text`` fits ``width`` px whole, as the cell will draw it: elidedText and the
    advance disagree by a pixel or two for a synthetic bold font (a bold name that "fitted" was
    then drawn cut: "myocardial infarcti…")."""
    return fm.horizontalAdvance(text) <= width and \
        fm.elidedText(text, Qt.TextElideMode.ElideRight, width) == text


def _cjk_cut(text: str, fm: QFontMetrics, width: int) -> int:
    """Where a name without a usable space breaks (0: nowhere it fits, so it elides): a point of
    the best :func:`_break_rank` whose first line fits; of those, the most even pair of lines
    when the rest fits one line (前壁中隔｜心筋梗塞, not 前壁中隔心筋｜梗塞), else the latest. Each
    line keeps at least two characters of the word."""
    ranked: list[tuple[int, int]] = []
    for i in range(2, len(text) - 1):
        if not _fits(fm, text[:i], width):
            break
        word = text[:i].rsplit(" ", 1)[-1]  # after a marker such as "● "
        if len(word) >= 2 and len(text[i:].strip()) >= 2 and (rank := _break_rank(text, i)):
            ranked.append((rank, i))
    if not ranked:
        return 0
    top = max(rank for rank, _ in ranked)
    points = [i for rank, i in ranked if rank == top]
    even = [i for i in points if _fits(fm, text[i:], width)]
    if even:
        return min(even, key=lambda i: max(fm.horizontalAdvance(text[:i]),
                                           fm.horizontalAdvance(text[i:])))
    return points[-1]


def wrap_lines(text: str, fm: QFontMetrics, width: int, lines: int = 2) -> str:
    """``text`` as it fits a table cell ``width`` px wide on at most ``lines`` lines: whole when
    it fits one; else broken at the last space that lets the first line fit (never after a
    one-character marker such as "● "; a first word too wide for the line elides); a Japanese
    name, without spaces, only where a break reads well (:func:`_break_rank`: 完全右脚｜ブロック,
    非特異的｜ST-T変化, never 「ブロッ｜ク」 nor one character alone), else elided; the rest
    likewise, the last line elided at its end (the caller's tooltip holds the whole)."""
    if lines <= 1 or _fits(fm, text, width):
        return fm.elidedText(text, Qt.TextElideMode.ElideRight, width)
    cut, kept = 0, 0
    for i, ch in enumerate(text):
        if ch == " " and i > 1 and _fits(fm, text[:i], width):
            cut, kept = i, 0  # break at this space (it is not drawn)
        elif ch == "-" and _hyphen_break(text, i) and _fits(fm, text[: i + 1], width):
            cut, kept = i, 1  # after a hyphen between words, kept: "non-" / "specific"
        if not _fits(fm, text[: i + 1], width):
            break
    if cut == 0:  # no space that fits (a Japanese name): a sensible point of the word
        cjk = _cjk_cut(text, fm, width)
        if cjk:
            return text[:cjk] + "\n" + wrap_lines(text[cjk:], fm, width, lines - 1)
    if cut == 0 and " " in text[2:]:  # the first word alone is too wide: it elides
        cut = text.index(" ", 2)
    if cut == 0:  # nowhere to break: one line, elided at its end
        return fm.elidedText(text, Qt.TextElideMode.ElideRight, width)
    first, rest = text[: cut + kept], text[cut + 1 :]
    return (fm.elidedText(first, Qt.TextElideMode.ElideRight, width) + "\n"
            + wrap_lines(rest, fm, width, lines - 1))


def _hyphen_break(text: str, i: int) -> bool:
    """Whether a line may break after the hyphen at ``i``: one that joins two words of at least
    three letters ("non-" / "specific"), never "ST-" / "T" nor "T-" / "wave"."""
    left = re.search(r"[A-Za-z]+$", text[:i])
    right = re.match(r"[A-Za-z]+", text[i + 1 :])
    return bool(left and right and len(left.group()) >= 3 and len(right.group()) >= 3)


def wrap_reason(text: str, fm: QFontMetrics, width: int, lines: int = 3) -> str:
    """An evidence row (「△ QRS 軸 -44°（-90…-45°、境界域）」) as it fits ``width`` px on at
    most ``lines`` lines: whole when it fits; else broken at a bracket, before or after it (the
    criterion's, or the name's own: 「QRS 振幅の最大（四肢誘導）」), the latest after which the
    rest fits the lines left, so a value stays beside its name and the criterion, with
    「境界域」, follows whole; else as :func:`wrap_lines` breaks it when nothing is cut there;
    else before the latest bracket whose head fits, the rest cut at its end. No line breaks
    where :func:`~ecg_viewer.core.line_breaks.bad_break` says a reader would not (「39」 /
    「ms」, 「≥」 / 「120」, a line opening with 「：」), as the PDF's lines do not."""
    if _fits(fm, text, width):
        return text
    # a space no line may break at (core.line_breaks, the PDF's rule) made a no-break space
    kept = "".join("\u00a0" if ch == " " and bad_break(text[:i], text[i + 1:]) else ch
                   for i, ch in enumerate(text))
    return _wrap_reason(kept, fm, width, lines).replace("\u00a0", " ")


def _wrap_reason(text: str, fm: QFontMetrics, width: int, lines: int) -> str:
    if lines <= 1 or _fits(fm, text, width):
        return fm.elidedText(text, Qt.TextElideMode.ElideRight, width)
    at = sorted({i for i in range(1, len(text))
                 if (text[i] == "（" or text[i : i + 2] == " (" or text[i - 1] in "）)")
                 and not bad_break(text[:i], text[i:])},  # never a line opening with 「：あり」
                reverse=True)
    heads = [i for i in at if _fits(fm, text[:i], width)]
    for i in heads:
        rest = _wrap_reason(text[i:].lstrip(), fm, width, lines - 1)
        if "…" not in rest or "…" in text[i:]:
            return text[:i] + "\n" + rest
    plain = wrap_lines(text, fm, width, lines)
    if "…" not in plain or not heads:
        return plain
    return text[: heads[0]] + "\n" + _wrap_reason(text[heads[0] :].lstrip(), fm, width, lines - 1)


def column_room(view: QAbstractScrollArea, fixed_px: int, margin_px: int,
                bar: bool = True) -> int:
    """The text width of a view's stretching column beside ``fixed_px`` of other columns, less
    the cell's ``margin_px``, as if a vertical scroll bar showed whether or not one does: taller
    rows of wrapped text may bring it up, and text wrapped for the wider column would then be
    cut. ``bar=False``: a view made as tall as its rows, which never shows one."""
    bar_px = view.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent) if bar else 0
    return view.width() - 2 * view.frameWidth() - fixed_px - bar_px - margin_px
