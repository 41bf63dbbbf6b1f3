"""What the analysis of one ECG produces: label scores, the referral flag, the quality verdict.

Plain dataclasses shared by model/, labels/, report/, app/ and gui/ (no torch, no Qt).
``Analysis.to_dict()`` is the object ``ecg-viewer analyze --json`` prints.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from ecg_viewer.core.messages import Bilingual, Reason, language, paren

# Referral levels, most severe first, with the banner text a clinician reads.
REFERRAL_LEVELS: tuple[str, ...] = ("unreadable", "urgent", "D", "C", "B", "E", "A")
REFERRAL_JA: dict[str, str] = {
    "urgent": "要至急",
    "D": "要精査",
    "C": "要経過観察",
    "B": "軽度異常",
    "A": "異常なし",
    "E": "治療中",
    # the cause (missing leads, a saturated or noisy lead, too short ...) is the reason below it
    "unreadable": "判定不能",
}
REFERRAL_EN: dict[str, str] = {
    "urgent": "Urgent referral",
    "D": "Further examination needed",
    "C": "Follow-up",
    "B": "Minor abnormality",
    "A": "No abnormality",
    "E": "Under treatment",
    "unreadable": "Not assessable",
}
# The names where a column is narrow (the worklist's level, the suggestions panel's and the
# PDF table's category, the comparison's mark): the full name is in the tooltip or elsewhere.
REFERRAL_SHORT_JA: dict[str, str] = {**REFERRAL_JA, "unreadable": "判定不能"}
REFERRAL_SHORT_EN: dict[str, str] = {**REFERRAL_EN, "D": "Further exam", "unreadable": "Not assessable"}
# Severity for ordering: higher = more severe ("unreadable" is handled apart from this scale).
#: the order a worklist is read in (app.reading_queue; the batch CSV's ``priority`` column):
#: 要至急, 要精査, then 判定不能 (a new recording while the patient may still be there), then the
#: routine levels; "error" (unreadable file) and "pending" (not analysed yet) last
READING_ORDER: dict[str, int] = {"urgent": 0, "D": 1, "unreadable": 2, "C": 3, "B": 4, "E": 5,
                                 "A": 6, "error": 7, "pending": 8}
SEVERITY: dict[str, int] = {"A": 0, "E": 1, "B": 2, "C": 3, "D": 4, "urgent": 5, "unreadable": 6}


@dataclass(frozen=True)
class Evidence:
    """One reason behind a suggestion: a measured value and the criterion it meets (or fails).

    ``key`` names the figure (a measurement key such as ``pr_ms``, a criteria-feature key such as
    ``sokolow_lyon_mv``, or ``similarity``); ``criterion`` is language-neutral, e.g. ``"> 200 ms"``;
    ``supports`` is False for evidence that speaks against the label (why it was held back).
    """

    key: str
    value: float | str | bool | None
    unit: str = ""
    criterion: str = ""
    supports: bool = True
    # a value of low confidence (greyed as 参考値) that decides because every group of beats
    # meets the criterion alike: their (lowest, highest), shown beside it (QA 46: a greyed QRS
    # of 158 ms had read as firm evidence)
    beat_range: tuple[float, float] | None = None
    # fails the published criterion but within the looser limit the label is held back at (the
    # measurement's tolerance: LAFB at -44° against -45 to -90°, held back only beyond -30°):
    # shown 「△ …（境界域）」, neither for nor against (QA 59: a shown LAFB beside 「× QRS 軸 -44°」)
    borderline: bool = False

    def to_dict(self) -> dict[str, Any]:
        v = self.value
        if isinstance(v, float):
            v = round(v, 4)
        out = {"key": self.key, "value": v, "unit": self.unit, "criterion": self.criterion,
               "supports": self.supports}
        if self.borderline:
            out["borderline"] = True
        if self.beat_range is not None:
            out["low_confidence"] = True
            out["beat_range"] = list(self.beat_range)
        return out


#: the threshold of a label no validation has set one for: no score reaches it (scores are < 1)
UNVALIDATED_THRESHOLD = 1.0
#: evidence key of a label shown because its measurements meet its criteria (labels/criteria.py
#: ``shown_when_any``): value = the model's own score before it was raised to the threshold
MEASURED_KEY = "shown_by_measurements"


@dataclass(frozen=True)
class LabelScore:
    """One label's suggestion. A label without a validated threshold (``threshold`` at
    :data:`UNVALIDATED_THRESHOLD`: never seen in training or validation) keeps its zero-shot
    score, is ranked and marked （未検証）, and never counts as present nor raises a flag."""

    id: str
    ja: str
    en: str
    similarity: float  # cosine similarity ECG embedding vs label embedding, [-1, 1]
    score: float  # calibrated score in [0, 1]
    threshold: float  # on ``score``; at or above it the label counts as present
    category: str  # "A" "B" "C" "D" "E" "urgent"
    evidence: tuple[Evidence, ...] = ()  # why (set for labels above threshold), see Evidence

    @property
    def above_threshold(self) -> bool:
        return self.score >= self.threshold

    @property
    def unvalidated(self) -> bool:
        return self.threshold >= UNVALIDATED_THRESHOLD

    @property
    def measured_score(self) -> float | None:
        """The model's own score of a label shown because its measurements meet its criteria
        (labels/criteria.py: a rule's ``shown_when_any`` raises ``score`` to ``threshold``), None
        for any other label: every view shows that instead of the raised number (QA 63: QT延長
        0.08 ★ in the review dock, read as the AI's score, where the model gave 0.007)."""
        for e in self.evidence:
            if e.key == MEASURED_KEY:
                return float(e.value or 0.0)
        return None

    def rescored(self, score: float, threshold: float,
                 evidence: tuple[Evidence, ...]) -> LabelScore:
        """This label with another score, threshold and evidence (a constructor call, not
        ``dataclasses.replace``: the same object, built several times faster; it runs for every
        label of every record)."""
        return LabelScore(self.id, self.ja, self.en, self.similarity, score, threshold,
                          self.category, evidence)

    def to_dict(self) -> dict[str, Any]:
        model = self.measured_score
        return {
            "id": self.id, "ja": self.ja, "en": self.en,
            "similarity": round(float(self.similarity), 5), "score": round(float(self.score), 5),
            "threshold": round(float(self.threshold), 5), "category": self.category,
            "above_threshold": self.above_threshold, "unvalidated": self.unvalidated,
            # shown because the measurements meet its criteria: "score" is its threshold, the
            # model's own score is "model_score"
            **({"shown_by_measurements": True, "model_score": round(model, 5)}
               if model is not None else {}),
            "evidence": [e.to_dict() for e in self.evidence],
        }  # fmt: skip


@dataclass(frozen=True)
class ModelInfo:
    app_version: str
    weights_sha256: str
    catalog_version: str
    device: str  # "cpu", "cuda:0"

    def to_dict(self) -> dict[str, Any]:
        return {"app_version": self.app_version, "weights_sha256": self.weights_sha256,
                "catalog_version": self.catalog_version, "device": self.device}


@dataclass(frozen=True)
class Prediction:
    labels: tuple[LabelScore, ...]  # every catalog label, best first
    model: ModelInfo

    def top(self, k: int = 5) -> tuple[LabelScore, ...]:
        return self.labels[:k]

    def shown(self, k: int = 5, also: Collection[str] = ()) -> tuple[LabelScore, ...]:
        """What a list of suggestions shows: the top ``k``, then every label at or above its
        threshold that ranks lower (a label that raises the referral flag is never left out of
        the list that explains it) and every label of ``also`` (``Referral.named``: findings the
        banner names below their own thresholds), best first."""
        top = self.labels[:k]
        return top + tuple(s for s in self.labels[k:] if s.above_threshold or s.id in also)

    def present(self) -> tuple[LabelScore, ...]:
        return tuple(s for s in self.labels if s.above_threshold)


@dataclass(frozen=True)
class QualityProblem:
    code: str  # "flat", "saturated", "lead_off", "noisy", "too_short", "missing_leads" ...
    leads: tuple[str, ...]
    reason: Reason  # the message-table key ("quality.<code>") and its parameters

    def text(self, lang: str | None = None) -> str:
        """What a person reads, in ``lang`` (default: the current language)."""
        return self.reason.text(lang)

    @property
    def ja(self) -> str:
        return self.reason.text("ja")

    @property
    def en(self) -> str:
        return self.reason.text("en")

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "leads": list(self.leads), "ja": self.ja, "en": self.en,
                "key": self.reason.key}


@dataclass(frozen=True)
class QualityReport:
    ok: bool
    problems: tuple[QualityProblem, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "problems": [p.to_dict() for p in self.problems]}


def level_name(level: str) -> Bilingual:
    """The name of a referral level in both languages (a message parameter)."""
    return Bilingual(REFERRAL_JA[level], REFERRAL_EN[level])


def referral_name(level: str, lang: str, short: bool = False) -> str:
    """A referral level's name in ``lang`` ("要精査" / "Further examination needed"); ``short``:
    the name a narrow column gives (:data:`REFERRAL_SHORT_EN`, "Further exam"); an unknown
    level as it is."""
    if short:
        names = REFERRAL_SHORT_JA if lang == "ja" else REFERRAL_SHORT_EN
    else:
        names = REFERRAL_JA if lang == "ja" else REFERRAL_EN
    return names.get(level, level)


def category_text(cat: str | None, lang: str, short: bool = False) -> str:
    """A label's category as the reports write it: "D（要精査）" / "D (Further examination
    needed)", the urgent tier by its name alone, "—" when there is none; ``short``: the names
    of a narrow column ("D (Further exam)")."""
    if cat in REFERRAL_JA and cat != "urgent":
        return f"{cat}{paren(referral_name(cat, lang, short), lang)}"
    return referral_name(cat, lang, short) if cat in REFERRAL_JA else "—"


#: the message keys of the measurement rules' reasons (labels/referral_rules.py)
RULE_KEY = "referral.rule."


def measured_reasons_of(referral: dict[str, Any], lang: str) -> list[str]:
    """:meth:`Referral.measured_reasons` of a referral as ``to_dict`` wrote it (a worklist or
    batch row)."""
    keys, texts = referral.get("reason_keys") or [], referral.get(f"reasons_{lang}") or []
    return [t for k, t in zip(keys, texts, strict=False) if str(k).startswith(RULE_KEY)]


@dataclass(frozen=True)
class Referral:
    level: str  # one of REFERRAL_LEVELS
    because: tuple[str, ...] = ()  # label ids / measurement rule ids that raised it
    # the same, as message keys with parameters (one per ``because``): see :meth:`reasons`
    reason_keys: tuple[Reason, ...] = ()
    # label ids a reason names though each is below its own threshold (the combination rule's
    # findings, labels/referral.py): a list of suggestions shows them beside the banner
    named: tuple[str, ...] = ()

    @property
    def ja(self) -> str:
        return REFERRAL_JA[self.level]

    @property
    def en(self) -> str:
        return REFERRAL_EN[self.level]

    def name(self, lang: str | None = None) -> str:
        """The level's banner text in ``lang`` (default: the current language)."""
        return self.en if (lang or language()) == "en" else self.ja

    def reasons(self, lang: str | None = None) -> tuple[str, ...]:
        """The reasons, readable, in ``lang`` (default: the current language)."""
        return tuple(r.text(lang) for r in self.reason_keys)

    def measured_reasons(self, lang: str | None = None) -> tuple[str, ...]:
        """The reasons a measurement rule gave (ST elevation of the injury type, QTc ≥ 500 ms
        ...): a list of the model's findings does not show them, so a place that lists findings
        puts these first (QA 48: the reading strip and the worklist showed an acute STEMI's
        要至急 beside 洞徐脈 and an old infarction only)."""
        return tuple(r.text(lang) for r in self.reason_keys if r.key.startswith(RULE_KEY))

    @property
    def reasons_ja(self) -> tuple[str, ...]:
        return self.reasons("ja")

    @property
    def reasons_en(self) -> tuple[str, ...]:
        return self.reasons("en")

    def to_dict(self) -> dict[str, Any]:
        out = {"level": self.level, "ja": self.ja, "en": self.en, "because": list(self.because),
               "reasons_ja": list(self.reasons_ja), "reasons_en": list(self.reasons_en),
               "reason_keys": [r.key for r in self.reason_keys]}
        if self.named:
            out["named"] = list(self.named)
        return out


@dataclass(frozen=True)
class Analysis:
    file: str
    sha256: str | None
    quality: QualityReport
    referral: Referral
    prediction: Prediction | None = None  # None when the quality gate stopped the model
    measurements: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # the ECG criteria features (signal/criteria.py CriteriaFeatures.to_dict(): values, reasons)
    criteria: dict[str, Any] | None = None

    def suggestions(self, k: int = 5) -> tuple[LabelScore, ...]:
        """What every list of suggestions beside this analysis's banner shows (the window, the
        review dock, the PDF, ``analyze``): :meth:`Prediction.shown` with the findings the banner
        names below their thresholds (``Referral.named``); () without a prediction."""
        return self.prediction.shown(k, self.referral.named) if self.prediction else ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "file": self.file,
            "sha256": self.sha256,
            "quality": self.quality.to_dict(),
            "labels": [s.to_dict() for s in self.prediction.labels] if self.prediction else [],
            "referral": self.referral.to_dict(),
            "measurements": self.measurements,
        }
        if self.criteria is not None:
            out["criteria"] = self.criteria
        if self.prediction:
            out["model"] = self.prediction.model.to_dict()
        out.update(self.extra)
        return out
