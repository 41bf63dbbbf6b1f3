"""The audit trail replayed against the review tables.

Every change the program makes to a review writes the new value of each changed field to the
audit trail in the same transaction (:meth:`ReviewStore.update`). So the stored reviews must equal
what the trail's last value of every field says: a review edited directly in the database
(``UPDATE reviews SET final_level = 'A'``, a decision inserted or deleted by hand) leaves the hash
chain intact but not this equality. :func:`replay` lists where they differ.

What is compared, per ECG (sha256): the decisions per finding, the findings added by hand, the
comment, the suggested and the final referral level, the "needs further examination" flag and
its reason, and the calipers/annotations. Not compared (never audited): the file path, the
reviewer's name column, the times and the revision counter.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

#: field -> value of a review that has never been changed
DEFAULTS: dict[str, Any] = {"comment": "", "suggested_level": None, "final_level": None,
                            "needs_exam": False, "needs_exam_reason": "", "annotations": []}


@dataclass(frozen=True)
class Mismatch:
    sha256: str
    field: str  # "final_level", "decision:<label>", "added_label:<label>", ...
    expected: Any  # what the audit trail says
    stored: Any  # what the review tables hold

    def detail(self) -> str:
        def show(v: Any) -> str:
            return json.dumps(v, ensure_ascii=False)

        return f"{self.sha256[:12]}… {self.field}: {show(self.stored)} ≠ {show(self.expected)}"


def _expected(conn: sqlite3.Connection) -> dict[str, dict[str, Any]]:
    """sha256 -> field -> the last value the audit trail gives it (decision/added_label per
    label); rows whose value is not JSON are skipped (the chain check reports them)."""
    out: dict[str, dict[str, Any]] = {}
    for sha, fld, new in conn.execute("SELECT sha256, field, new FROM audit ORDER BY id"):
        if not (fld in DEFAULTS or fld.startswith(("decision:", "added_label:"))):
            continue  # the chain's own rows (migration), fields of no review
        try:
            value = None if new is None else json.loads(new)
        except (TypeError, ValueError):
            continue
        out.setdefault(sha, {})[fld] = value
    return out


def _stored(conn: sqlite3.Connection) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    cols = {r[1] for r in conn.execute("PRAGMA table_info(reviews)")}
    extra = [c for c in ("needs_exam", "needs_exam_reason", "annotations_json") if c in cols]
    sql = ("SELECT sha256, comment, suggested_level, final_level"
           + "".join(f", {c}" for c in extra) + " FROM reviews")
    for values in conn.execute(sql):
        row = dict(zip(["sha256", "comment", "suggested_level", "final_level", *extra], values,
                       strict=True))
        state = out.setdefault(row["sha256"], {})
        state.update(comment=row["comment"], suggested_level=row["suggested_level"],
                     final_level=row["final_level"])
        if "needs_exam" in row:
            state["needs_exam"] = bool(row["needs_exam"])
        if "needs_exam_reason" in row:
            state["needs_exam_reason"] = row["needs_exam_reason"]
        if "annotations_json" in row:
            try:
                state["annotations"] = json.loads(row["annotations_json"] or "[]")
            except ValueError:
                state["annotations"] = row["annotations_json"]  # shown as it is
    for sha, label, decision in conn.execute(
            "SELECT sha256, label_id, decision FROM label_decisions"):
        out.setdefault(sha, {})[f"decision:{label}"] = decision
    for sha, label in conn.execute("SELECT sha256, label_id FROM added_labels"):
        out.setdefault(sha, {})[f"added_label:{label}"] = "added"
    return out


def replay(conn: sqlite3.Connection) -> list[Mismatch]:
    """Where the review tables differ from the audit trail's last values, ordered by ECG and
    field (empty when they agree). Read-only."""
    expected, stored = _expected(conn), _stored(conn)
    out: list[Mismatch] = []
    for sha in sorted(set(expected) | set(stored)):
        want, have = expected.get(sha, {}), stored.get(sha, {})
        reviewed = sha in stored and any(k in have for k in DEFAULTS)
        for fld in sorted(set(DEFAULTS) | set(want) | set(have)):
            default = DEFAULTS.get(fld)
            w = want.get(fld, default)
            h = have.get(fld, default) if (reviewed or fld not in DEFAULTS) else None
            if fld in DEFAULTS and not reviewed:
                # no review row at all: only a trail that changed something is missing it
                if w != default:
                    out.append(Mismatch(sha, fld, w, None))
                continue
            if w != h:
                out.append(Mismatch(sha, fld, w, h))
    return out
