"""The reading order of a worklist and moving through it, without Qt (the worklist panel and the
keyboard reading desk use it).

Order: referral level, most pressing first — 要至急, 要精査, then records the quality gate could
not assess (判定不能: they need a new recording while the patient may still be in the
department, so they come before the routine levels, not after), 要経過観察, 軽度異常, 治療中,
異常なし; files that could not be read at all, then files not analysed yet, last. Within a level,
by acquisition time (oldest first, as the day was recorded; files without a time after those
with one), then by file name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ecg_viewer.core.prediction import READING_ORDER

ORDER: dict[str, int] = READING_ORDER
#: model levels that count as "flagged" (a referral the reader must see)
FLAGGED_LEVELS: frozenset[str] = frozenset({"urgent", "D"})
#: what F visits and the progress line counts as still to be read: the flagged cases and those
#: the model did not judge (判定不能: the quality gate, a sampling rate the cart contradicts),
#: which only a reader can (QA 48: F never reached a 判定不能 case and no count included it)
TO_READ_LEVELS: frozenset[str] = FLAGGED_LEVELS | {"unreadable"}


def level_of(row: Mapping[str, Any] | None) -> str:
    """The worklist level of an output row: a referral level, "error" or "pending"."""
    if row is None:
        return "pending"
    if "error" in row:
        return "error"
    return (row.get("referral") or {}).get("level", "pending")


def sort_key(path: str, row: Mapping[str, Any] | None) -> tuple[int, int, str, str]:
    when = str((row or {}).get("recorded_at") or "")
    return (ORDER.get(level_of(row), 9), 0 if when else 1, when, Path(path).name)


def reading_order(files: Iterable[str], rows: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """``files`` in reading order (see the module text); ``rows``: file -> output row."""
    return sorted(files, key=lambda f: sort_key(f, rows.get(f)))


def copies(order: list[str], rows: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """file -> the file it is a copy of: the same ECG (sha256) as a file before it in ``order``,
    which stands for both (a review is kept per ECG, so reviewing one reviews its copies; QA 40:
    three copies of one file were three flagged cases and one review ticked all three)."""
    first: dict[str, str] = {}
    out: dict[str, str] = {}
    for f in order:
        row = rows.get(f) or {}
        sha = row.get("sha256")
        if not sha or "error" in row:
            continue
        if sha in first:
            out[f] = first[sha]
        else:
            first[sha] = f
    return out


@dataclass(frozen=True)
class Progress:
    total: int  # ECGs in the worklist (a copy of a file counts with it: ``copies``)
    reviewed: int  # with a final level from the reader (review state "done")
    flagged_left: int  # flagged by the model (要至急 / 要精査) or not judged, not reviewed yet
    analysed: int  # files with a result (or a read error) so far


def _done(row: Mapping[str, Any] | None, states: Mapping[str, str]) -> bool:
    sha = (row or {}).get("sha256")
    return bool(sha) and states.get(sha) == "done"


def progress(order: list[str], rows: Mapping[str, Mapping[str, Any]],
             states: Mapping[str, str]) -> Progress:
    """``states``: sha256 -> review state ("unreviewed" | "in_progress" | "done"). Copies of a
    file count once (``copies``)."""
    same = copies(order, rows)
    order = [f for f in order if f not in same]
    analysed = sum(1 for f in order if f in rows)  # of the same cases (QA 44: "4/2 analysed")
    reviewed = sum(1 for f in order if _done(rows.get(f), states))
    flagged = sum(1 for f in order if level_of(rows.get(f)) in TO_READ_LEVELS
                  and not _done(rows.get(f), states))
    return Progress(len(order), reviewed, flagged, analysed)


def case_number(order: list[str], rows: Mapping[str, Mapping[str, Any]],
                current: str | None) -> int:
    """``current``'s place (from 1) among the cases :func:`progress` counts, a copy at its
    original's place; 0 when it is not in ``order`` (QA 44: 「4/2 件目」 with two copies)."""
    same = copies(order, rows)
    cases = [f for f in order if f not in same]
    here = same.get(current, current) if current is not None else None
    return cases.index(here) + 1 if here in cases else 0


def step(order: list[str], current: str | None, delta: int) -> str | None:
    """The file ``delta`` places from ``current`` in ``order`` (the first file when ``current``
    is not in it); None past either end."""
    if not order:
        return None
    if current not in order:
        return order[0] if delta > 0 else None
    i = order.index(current) + delta
    return order[i] if 0 <= i < len(order) else None


def next_flagged(order: list[str], current: str | None, rows: Mapping[str, Mapping[str, Any]],
                 states: Mapping[str, str]) -> str | None:
    """The next flagged file not yet reviewed after ``current`` (wrapping round to the top of
    the list); None when none is left."""
    if not order:
        return None
    same = copies(order, rows)  # a copy is read with the file it copies
    start = order.index(current) + 1 if current in order else 0
    for k in range(len(order)):
        f = order[(start + k) % len(order)]
        if f == current or f in same:
            continue
        row = rows.get(f)
        if level_of(row) in TO_READ_LEVELS and not _done(row, states):
            return f
    return None


def changed_since_listed(order: list[str], rows: Mapping[str, Mapping[str, Any]],
                         changed: Callable[[Any], bool]) -> list[str]:
    """The files of ``order`` whose files changed (``changed(row["file_stamp"])``) since the
    worklist analysed them: replaced on disk, their row (level, review state) describes another
    ECG (QA 66: a reviewed file overwritten with another patient's 要至急 ECG kept its ✓, and F
    said nothing was left)."""
    return [f for f in order if changed((rows.get(f) or {}).get("file_stamp"))]


def unreadable(order: list[str], rows: Mapping[str, Mapping[str, Any]]) -> int:
    """How many files of ``order`` could not be read: F does not visit them and the progress
    line does not count them as to read, so "none left" names them (QA 61)."""
    return sum(1 for f in order if level_of(rows.get(f)) == "error")


def passed_flagged(order: list[str], current: str | None,
                   rows: Mapping[str, Mapping[str, Any]], states: Mapping[str, str],
                   opened: set[str]) -> str | None:
    """A flagged file not reviewed and not opened yet that sorts *before* ``current``: while the
    worklist is still being analysed, a case found urgent later takes its place above the
    reader, and stepping on with J would never reach it. The first such file, else None."""
    if current not in order:
        return None
    same = copies(order, rows)
    for f in order[:order.index(current)]:
        row = rows.get(f)
        if f not in same and f not in opened and level_of(row) in TO_READ_LEVELS \
                and not _done(row, states):
            return f
    return None
