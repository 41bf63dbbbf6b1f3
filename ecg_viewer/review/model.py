"""What a clinician records about one ECG: decisions on suggestions, added labels, comment,
final referral level, a "needs further examination" flag, and calipers/annotations.

Plain, JSON-serialisable dataclasses (no Qt, no SQL). The store keeps them keyed by the sha256
of the ECG file, so a moved or renamed file keeps its review.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from ecg_viewer.core.prediction import REFERRAL_LEVELS

CONFIRMED = "confirmed"
REJECTED = "rejected"
DECISIONS = (CONFIRMED, REJECTED)

# The kinds of marks a clinician can leave on the trace. "time" and "amplitude" are the calipers
# of ``ecg_viewer.signal.calipers.Caliper`` (same names and fields, so its ``to_dict()`` loads here).
ANNOTATION_KINDS = ("time", "amplitude", "note")


@dataclass(frozen=True)
class Annotation:
    """A caliper or a note placed on the ECG, in signal coordinates (seconds from the start of the
    record, millivolts), so the screen and the PDF place it in the same spot.

    ``time`` caliper: ``t0_s``..``t1_s`` (interval in ms and the bpm of that interval).
    ``amplitude`` caliper: ``v0_mv``..``v1_mv`` at time ``t0_s`` on ``lead``.
    ``note``: ``text`` at ``t0_s`` (and ``v0_mv`` when given) on ``lead``.
    """

    kind: str
    t0_s: float
    t1_s: float | None = None
    v0_mv: float | None = None
    v1_mv: float | None = None
    lead: str | None = None
    text: str = ""
    rhythm_strip: bool = False  # a caliper placed on the rhythm strip

    def __post_init__(self) -> None:
        if self.kind not in ANNOTATION_KINDS:
            raise ValueError(f"annotation kind must be one of {ANNOTATION_KINDS}, got {self.kind!r}")
        if self.kind == "time" and self.t1_s is None:
            raise ValueError("a time caliper needs t1_s")
        if self.kind == "amplitude" and (self.v0_mv is None or self.v1_mv is None):
            raise ValueError("an amplitude caliper needs v0_mv and v1_mv")

    @property
    def interval_ms(self) -> float | None:
        if self.kind != "time" or self.t1_s is None:
            return None
        return abs(self.t1_s - self.t0_s) * 1000.0

    @property
    def rate_bpm(self) -> float | None:
        ms = self.interval_ms
        return 60000.0 / ms if ms else None

    @property
    def amplitude_mv(self) -> float | None:
        if self.kind != "amplitude" or self.v0_mv is None or self.v1_mv is None:
            return None
        return abs(self.v1_mv - self.v0_mv)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "t0_s": self.t0_s}
        for name in ("t1_s", "v0_mv", "v1_mv", "lead"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        if self.text:
            out["text"] = self.text
        if self.rhythm_strip:
            out["rhythm_strip"] = True
        for name in ("interval_ms", "rate_bpm", "amplitude_mv"):
            value = getattr(self, name)
            if value is not None:
                out[name] = round(value, 3)
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Annotation:
        def _f(key: str) -> float | None:
            return None if d.get(key) is None else float(d[key])

        return cls(
            kind=str(d["kind"]),
            t0_s=float(d["t0_s"]),
            t1_s=_f("t1_s"),
            v0_mv=_f("v0_mv"),
            v1_mv=_f("v1_mv"),
            lead=d.get("lead"),
            text=str(d.get("text", "")),
            rhythm_strip=bool(d.get("rhythm_strip", False)),
        )


@dataclass(frozen=True)
class Review:
    """The clinician's review of one ECG (identified by the file's sha256)."""

    sha256: str
    # suggested label id -> "confirmed" | "rejected"; labels not in here are undecided
    decisions: dict[str, str] = field(default_factory=dict)
    # catalog label ids the clinician added (not among, or not accepted from, the suggestions)
    added_labels: tuple[str, ...] = ()
    comment: str = ""
    suggested_level: str | None = None  # the referral level the model suggested, kept beside
    final_level: str | None = None  # the clinician's own referral level
    needs_exam: bool = False  # "needs further examination"
    needs_exam_reason: str = ""
    annotations: tuple[Annotation, ...] = ()
    file_path: str | None = None  # where the file was last seen (informative only)
    reviewer: str | None = None  # who saved last
    updated_at: str | None = None  # ISO time of the last save (UTC)
    revision: int = 0  # number of saves so far

    def __post_init__(self) -> None:
        for label_id, decision in self.decisions.items():
            if decision not in DECISIONS:
                raise ValueError(
                    f"decision for {label_id!r} must be one of {DECISIONS}, got {decision!r}"
                )
        for name in ("suggested_level", "final_level"):
            level = getattr(self, name)
            if level is not None and level not in REFERRAL_LEVELS:
                raise ValueError(f"{name} must be one of {REFERRAL_LEVELS}, got {level!r}")

    @property
    def confirmed(self) -> tuple[str, ...]:
        return tuple(k for k, v in self.decisions.items() if v == CONFIRMED)

    @property
    def rejected(self) -> tuple[str, ...]:
        return tuple(k for k, v in self.decisions.items() if v == REJECTED)

    @property
    def is_empty(self) -> bool:
        """True when nothing has been recorded yet."""
        return not (self.decisions or self.added_labels or self.comment or self.final_level
                    or self.needs_exam or self.needs_exam_reason or self.annotations)

    @property
    def state(self) -> str:
        """``"unreviewed"``, ``"in_progress"`` (something recorded, no final level) or ``"done"``."""
        if self.final_level:
            return "done"
        return "unreviewed" if self.is_empty else "in_progress"

    def with_decision(self, label_id: str, decision: str | None) -> Review:
        """A finding is in one place: deciding on one that was added by hand takes it off the
        added list (confirmed: it is a suggestion now confirmed; rejected: no longer added)."""
        decisions = dict(self.decisions)
        if decision is None:
            decisions.pop(label_id, None)
        else:
            decisions[label_id] = decision
        added = self.added_labels if decision is None else \
            tuple(x for x in self.added_labels if x != label_id)
        return replace(self, decisions=decisions, added_labels=added)

    def with_added_label(self, label_id: str) -> Review:
        """Add a finding by hand. One the reader decided on already is not added a second time:
        a confirmed one stays as it is, a rejected one becomes confirmed (never both rejected
        and added)."""
        if label_id in self.added_labels or self.decisions.get(label_id) == CONFIRMED:
            return self
        if self.decisions.get(label_id) == REJECTED:
            return self.with_decision(label_id, CONFIRMED)
        return replace(self, added_labels=(*self.added_labels, label_id))

    def without_added_label(self, label_id: str) -> Review:
        return replace(self, added_labels=tuple(x for x in self.added_labels if x != label_id))

    def to_dict(self) -> dict[str, Any]:
        return {
            "sha256": self.sha256,
            "state": self.state,
            "decisions": dict(sorted(self.decisions.items())),
            "confirmed": list(self.confirmed),
            "rejected": list(self.rejected),
            "added_labels": list(self.added_labels),
            "comment": self.comment,
            "suggested_level": self.suggested_level,
            "final_level": self.final_level,
            "needs_exam": self.needs_exam,
            "needs_exam_reason": self.needs_exam_reason,
            "annotations": [a.to_dict() for a in self.annotations],
            "file_path": self.file_path,
            "reviewer": self.reviewer,
            "updated_at": self.updated_at,
            "revision": self.revision,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Review:
        return cls(
            sha256=str(d["sha256"]),
            decisions={str(k): str(v) for k, v in (d.get("decisions") or {}).items()},
            added_labels=tuple(d.get("added_labels") or ()),
            comment=str(d.get("comment") or ""),
            suggested_level=d.get("suggested_level"),
            final_level=d.get("final_level"),
            needs_exam=bool(d.get("needs_exam", False)),
            needs_exam_reason=str(d.get("needs_exam_reason") or ""),
            annotations=tuple(Annotation.from_dict(a) for a in d.get("annotations") or ()),
            file_path=d.get("file_path"),
            reviewer=d.get("reviewer"),
            updated_at=d.get("updated_at"),
            revision=int(d.get("revision", 0)),
        )


def local_time(iso: str | None) -> str:
    """A time from the database (ISO 8601, UTC) as the computer's local 'YYYY-MM-DD HH:MM': how
    the window, the status bar and the PDF show when a review was saved."""
    if not iso:
        return ""
    from datetime import datetime

    try:
        when = datetime.fromisoformat(iso)
    except ValueError:
        return iso[:16].replace("T", " ")
    return when.astimezone().strftime("%Y-%m-%d %H:%M")


SCALAR_FIELDS = ("comment", "suggested_level", "final_level", "needs_exam", "needs_exam_reason")


def review_changes(old: Review, new: Review) -> list[tuple[str, Any, Any]]:
    """(field, old, new) for every clinician-visible change; per label for decisions."""
    out: list[tuple[str, Any, Any]] = []
    for label_id in dict.fromkeys([*old.decisions, *new.decisions]):
        a, b = old.decisions.get(label_id), new.decisions.get(label_id)
        if a != b:
            out.append((f"decision:{label_id}", a, b))
    for label_id in new.added_labels:
        if label_id not in old.added_labels:
            out.append((f"added_label:{label_id}", None, "added"))
    for label_id in old.added_labels:
        if label_id not in new.added_labels:
            out.append((f"added_label:{label_id}", "added", None))
    for name in SCALAR_FIELDS:
        a, b = getattr(old, name), getattr(new, name)
        if a != b:
            out.append((name, a, b))
    if old.annotations != new.annotations:
        out.append(("annotations", [a.to_dict() for a in old.annotations],
                    [a.to_dict() for a in new.annotations]))
    return out
