"""Where a line of Japanese or English text may not break, for every wrapper that measures its
own lines (the PDF's reportlab text, the window's evidence rows).

Kinsoku: a closing bracket, a comma or a full stop never opens a line, an opening bracket never
ends one; and a number is never cut in two, parted from its unit ("41" / "ms）", "50" / "/分")
or from its sign ("≥" / "120", "-" / "45°")."""

from __future__ import annotations

NO_LINE_START = frozenset("）」』】〕、。，．・：；)]}%％")
NO_LINE_END = frozenset("（「『【〔([{")
_SIGNS = "+-−.≥≤<>"
_UNIT_STARTS = "/°µ"


def bad_break(head: str, tail: str) -> bool:
    """Whether a line ending in ``head`` and the next beginning with ``tail`` break where a
    reader would not (an empty ``tail`` is the space before it; blanks are stripped first)."""
    head, tail = head.rstrip(), tail.lstrip()
    a, b = head[-1:], tail[:1]
    return (b in NO_LINE_START or a in NO_LINE_END
            or (a.isdigit() and (not b or b.isdigit() or b == "." or b in _UNIT_STARTS
                                 or (b.isascii() and b.isalpha())))
            or (a in _SIGNS and b.isdigit()))
