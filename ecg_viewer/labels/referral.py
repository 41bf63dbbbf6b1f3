"""The referral flag (要至急 / 要精査 / 要経過観察 / 軽度異常 / 異常なし / 治療中 / 判定不能) of one ECG.

The rules are data (``resources/labels/referral_rules.json``): the level is the most severe one
raised by any label above its threshold (its catalog category, not only the top-1) or by any
measurement rule; a paced rhythm with only the findings pacing itself explains gives E (治療中);
a record that failed the signal-quality gate is "unreadable". Qt-free and torch-free.

The banner and the suggestion list cannot disagree: a label raises the flag when it is shown
above its threshold (the threshold it carries, ``LabelScore.threshold``; pacing and broader
labels as below), and every raise names its label or rule with its evidence. The fused D/urgent labels each carry a threshold of
their own, chosen jointly by the fit so that at most 5 % of normal ECGs are flagged by this
function as the app calls it, the criteria's hold-backs and the measurement rules included
(``training/fusion_referral.py``, ``training/fusion_app.py``); a broader label derived from narrower ones (心筋梗塞) is above
its threshold exactly when a narrower label is above its own (``labels/derived.py``), and the
banner names the narrower label. The rule table itself: :mod:`ecg_viewer.labels.referral_rules`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ecg_viewer.core.messages import Bilingual, Localized, Reason, tr
from ecg_viewer.core.prediction import (
    SEVERITY,
    Analysis,
    Evidence,
    LabelScore,
    QualityReport,
    Referral,
    level_name,
)
from ecg_viewer.labels.derived import DERIVED_KEY
from ecg_viewer.labels.evidence import MODEL_KEYS, evidence_summary
from ecg_viewer.labels.logit import logit
from ecg_viewer.labels.referral_rules import ReferralRules, default_rules


def shown_level(s: LabelScore, analysis: Analysis | None) -> str:
    """The level label ``s`` raises in ``analysis``, as the banner counts it: its category's, or
    the lower one a label-level rule sets (前壁・側壁の心内膜下傷害 with a wide QRS: 要精査), what
    the suggestion list, the review panel and the report show beside the finding."""
    if analysis is None:
        return default_rules().level_of_category(s.category)
    labels = analysis.prediction.labels if analysis.prediction is not None else ()
    return default_rules().label_level(s, analysis.measurements, labels)[0]


def own_level(s: LabelScore, analysis: Analysis) -> tuple[str | None, bool]:
    """The level the single-ECG rules let finding ``s`` (above its threshold) raise in
    ``analysis``, and whether a label-level rule lowered it (secondary ST-T with a bundle
    branch block): None when the paced rhythm found there explains it. The same
    :meth:`ReferralRules.finding_level` that :func:`decide_referral` reads; what the comparison
    with a prior ECG caps a new finding's level at."""
    labels = analysis.prediction.labels if analysis.prediction is not None else ()
    got = default_rules().finding_level(s, analysis.measurements,
                                        [x for x in labels if x.above_threshold])
    return (None, False) if got is None else (got[0], got[1] is not None)


#: the referral reasons that are about one finding, its name in their ``label`` parameter (the
#: comparison's ``compare.new_finding`` among them)
FINDING_REASONS = frozenset({
    "referral.because_label", "referral.because_label_evidence",
    "referral.label_level.secondary_st_t", "referral.label_level.secondary_st_t_finding",
    "compare.new_finding"})


def reason_head(reason: Reason, lang: str) -> str:
    """What a referral reason names, for a one-line summary: the finding's name where the
    reason is about a finding ("前壁中隔心筋梗塞", not "前壁中隔心筋梗塞（要精査: …）"), else the
    whole reason ("QTc（Bazett）512 ms：500 ms 以上"); findings together by their names, without
    the sentence that they are each below their thresholds."""
    label = dict(reason.params).get("label")
    if reason.key in FINDING_REASONS and isinstance(label, Localized):
        return label.text(lang)
    if reason.key == "referral.because_combination":
        return tr("referral.because_combination_head", lang,
                  findings=dict(reason.params).get("findings", ""))
    return reason.text(lang)


#: a finding the combination rule's banner names besides the first is at least this share of
#: its own threshold
NAMED_MIN_SHARE = 0.3


@dataclass(frozen=True)
class CombinationRule:
    """要精査 from several D/urgent findings together, none of them above its own threshold: a
    logistic regression on the logits of the fused D/urgent labels' probabilities and of
    正常心電図 (fitted by ``training/fusion_combination.py`` on cross-fitted fusion outputs, its
    threshold chosen with the per-label thresholds so that the two together flag at most 5 % of
    the normal ECGs). The banner names the findings closest to their own thresholds."""

    labels: tuple[str, ...]
    weights: tuple[float, ...]
    normal_label: str
    normal_weight: float
    bias: float
    threshold: float
    eps: float = 1e-4
    n_named: int = 3

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> CombinationRule:
        labels, weights = tuple(str(x) for x in d["labels"]), tuple(float(w) for w in d["weights"])
        if not labels or len(labels) != len(weights):
            raise ValueError("labels and weights must be non-empty and of the same length")
        values = [float(d[k]) for k in ("normal_weight", "bias", "threshold", "eps")]
        if not all(math.isfinite(v) for v in (*weights, *values)) or not 0.0 < values[3] < 0.5:
            raise ValueError("weights, bias, threshold and eps must be finite numbers")
        return cls(labels, weights, str(d["normal_label"]), *values)

    def to_json(self) -> dict[str, Any]:
        return {"labels": list(self.labels), "weights": list(self.weights),
                "normal_label": self.normal_label, "normal_weight": self.normal_weight,
                "bias": self.bias, "threshold": self.threshold, "eps": self.eps}

    def score(self, scores: Mapping[str, float]) -> float:
        """The referral logit from the labels' probabilities (a label not given counts as 0),
        computed as the fit computes it (``training/fusion_combination.py``: the same logit,
        weights and order)."""
        p = [scores.get(lab, 0.0) for lab in (*self.labels, self.normal_label)]
        f = logit(np.nan_to_num(np.asarray(p, dtype=np.float64), nan=0.0), eps=self.eps)
        return float(f @ np.array([*self.weights, self.normal_weight]) + self.bias)

    def reads_all(self, scores: Mapping[str, float]) -> bool:
        """Whether ``scores`` has every label the rule reads."""
        return self.normal_label in scores and all(lab in scores for lab in self.labels)

    def named(self, labels: Sequence[LabelScore]) -> list[LabelScore]:
        """The findings the banner names: the rule's labels with a positive weight, closest to
        their own thresholds first (at most :attr:`n_named`); after the first, only those at
        :data:`NAMED_MIN_SHARE` of their threshold or more (a finding at 0.01 explains nothing)."""
        positive = {lab for lab, w in zip(self.labels, self.weights, strict=True) if w > 0}
        cand = [s for s in labels if s.id in positive and s.score > 0.0]
        cand.sort(key=lambda s: -s.score / max(s.threshold, 1e-6))
        return cand[:1] + [s for s in cand[1: self.n_named]
                           if s.score >= NAMED_MIN_SHARE * s.threshold]


def decide_referral(
    present: Sequence[LabelScore],
    measurements: Mapping[str, Any] | None = None,
    quality: QualityReport | None = None,
    rules: ReferralRules | None = None,
    combination: CombinationRule | None = None,
) -> Referral:
    """The referral flag of one ECG.

    ``present``: the labels that count as found (any :class:`LabelScore` below its threshold is
    ignored, so passing every label is safe). ``measurements``: values keyed by
    :data:`~ecg_viewer.labels.referral_rules.MEASUREMENTS` (None or NaN = not measured, never fires; a rule whose shown measure is
    listed in ``measurements["low_confidence"]`` does not fire). ``quality``: when given and
    not ok, the answer is "unreadable" with the quality problems as reasons. ``combination``:
    the fusion's :class:`CombinationRule`, read from every label of ``present`` (pass them all,
    after the criteria); it raises 要精査 only where nothing else raised 要精査 or more and the
    rhythm is not paced.
    """
    if quality is not None and not quality.ok:
        return Referral(
            "unreadable",
            because=tuple(p.code for p in quality.problems),
            reason_keys=tuple(p.reason for p in quality.problems),
        )
    rules = rules or default_rules()
    found = [s for s in present if s.above_threshold]
    found_ids = {s.id for s in found}
    paced = rules.is_paced(found)
    raised: list[tuple[str, str, Reason]] = []  # (level, id, reason)
    by_label: dict[str, LabelScore] = {}
    values = measurements or {}
    for s in found:
        # a broader label derived from a narrower one found here (心筋梗塞 from 前壁中隔心筋梗塞,
        # labels/derived.py) says nothing more: the narrower one names the finding (the catalog
        # keeps a broader label never more severe than its narrower ones)
        if any(e.key == DERIVED_KEY and e.value in found_ids for e in s.evidence):
            continue
        # its category's level, or a lower one a label-level rule sets (e.g. secondary ST-T);
        # nothing where the paced rhythm explains it
        got = rules.finding_level(s, values, found)
        if got is None:
            continue
        level, lowered = got
        if level not in SEVERITY or level == "unreadable":
            raise ValueError(f"label {s.id!r} has category {s.category!r}, not a referral level")
        label = Bilingual(s.ja, s.en)
        if lowered is not None:
            reason = lowered
        elif evidence_summary(s, "ja"):  # the measurements behind it, when there are any
            why = Bilingual(evidence_summary(s, "ja"), evidence_summary(s, "en"))
            reason = Reason.of("referral.because_label_evidence", label=label,
                               level=level_name(level), evidence=why)
        else:
            reason = Reason.of("referral.because_label", label=label, level=level_name(level))
        raised.append((level, s.id, reason))
        by_label[s.id] = s
    if rules.paced_measurement and values.get(rules.paced_measurement) is True:
        raised.append(("E", "paced_spikes", Reason.of("referral.paced_measured")))
    # a measurement whose confidence is low (``Measurements.to_dict()["low_confidence"]``)
    # never raises a rule alone: a rule about it (its ``show`` measure) does not fire; a label
    # of the model that says the same still raises the flag
    fired = rules.fired_measurement_rules(values, found)
    for rule, shown in fired:
        raised.append((rule.level, rule.id, Reason.of(rule.message, value=shown)))
    # a finding shown only because its measurements meet its criteria says nothing a rule of
    # its level or above, naming the same measurement, does not (QA 63: QT延長 beside two QTc
    # rules gave the same QTc three times)
    shows = [(SEVERITY[rule.level], rule.show) for rule, _ in fired]
    raised = [r for r in raised if not _said_by_rules(by_label.get(r[1]), r[0], shows)]
    named: list[LabelScore] = []
    if combination is not None and not paced and all(
            SEVERITY[level] < SEVERITY["D"] for level, _, _ in raised):
        scores = {s.id: s.score for s in present}
        # only from every label it reads (a caller that passes the found labels alone gives
        # no score: a missing 正常心電図 would read as a certain abnormal ECG)
        if combination.reads_all(scores) and combination.score(scores) >= combination.threshold:
            named = combination.named(present)
            findings = Bilingual("、".join(f"{s.ja} {s.score:.2f}" for s in named),
                                 ", ".join(f"{s.en} {s.score:.2f}" for s in named))
            raised.append(("D", "combination", Reason.of(
                "referral.because_combination", findings=findings, level=level_name("D"))))
    abnormal = [r for r in raised if r[0] != "A"]
    if not abnormal:
        return Referral("A")
    top = max(SEVERITY[level] for level, _, _ in abnormal)
    chosen = [r for r in abnormal if SEVERITY[r[0]] == top]
    lead = {rule.id for rule, _ in fired if rule.first}
    chosen.sort(key=lambda r: r[1] not in lead)  # stable: the rest keep their order
    because: list[str] = []
    reasons: list[Reason] = []
    for _, rid, reason in chosen:
        if rid not in because:
            because.append(rid)
            reasons.append(reason)
    return Referral(chosen[0][0], because=tuple(because), reason_keys=tuple(reasons),
                    named=tuple(s.id for s in named) if "combination" in because else ())


def _said_by_rules(s: LabelScore | None, level: str, shows: list[tuple[int, str]]) -> bool:
    """Whether ``s``, a label shown from its measurements, has a measurement behind it named by a
    rule fired at ``level`` or above (``shows``: (severity, shown measure)): the rule's sentence
    says it (QA 64: E07504's QTcB 479 ms, once 「≥ 450 ms」 for QT延長, once 「460 ms 以上」)."""
    if s is None or s.measured_score is None:
        return False
    keys = {e.key for e in s.evidence if e.supports and e.key not in MODEL_KEYS}
    return bool(keys & {m for sev, m in shows if sev >= SEVERITY[level]})


#: evidence key on a "no finding" label (正常心電図) for a measurement rule that fired beside it:
#: value = the rule's id, criterion = the value it shows (labels/evidence.py writes the sentence)
MEASURED_FINDING_KEY = "measured_finding"


def qualify_normal(labels: Sequence[LabelScore], measurements: Mapping[str, Any] | None,
                   rules: ReferralRules | None = None) -> tuple[LabelScore, ...]:
    """``labels`` with a shown "no finding" label (正常心電図) qualified where a measurement rule
    of at least ``otherwise_normal_from`` (要経過観察) fires beside it on trusted values: named
    「正常心電図（計測所見を除く）」 / "otherwise normal ECG" (a cart's phrase), with one ``×`` evidence line per
    such rule (「PR 112 ms：PR短縮（120 ms 未満）」). Its score and threshold stay: the model
    reads the waveform as normal, and the banner and the list no longer contradict each other
    (a 要至急 QTc beside a plain 正常心電図). Catalog category A means "正常, alone"
    (reference doc §3); the labels of category C and above already hold it back
    (criteria rules, ``normal_vs_abnormal``)."""
    rules = rules or default_rules()
    if not rules.otherwise_normal or not any(
            s.id in rules.otherwise_normal and s.above_threshold for s in labels):
        return tuple(labels)
    found = [s for s in labels if s.above_threshold]
    floor = SEVERITY[rules.otherwise_normal_from]
    fired = [(r, v) for r, v in rules.fired_measurement_rules(measurements, found)
             if SEVERITY[r.level] >= floor and v is not None]
    if not fired:
        return tuple(labels)
    notes = tuple(Evidence(MEASURED_FINDING_KEY, r.id, "", f"{v:g}", False) for r, v in fired)
    return tuple(
        LabelScore(s.id, tr("labels.otherwise_normal", "ja", name=s.ja),
                   tr("labels.otherwise_normal", "en", name=s.en), s.similarity, s.score,
                   s.threshold, s.category, s.evidence + notes)
        if s.id in rules.otherwise_normal and s.above_threshold else s
        for s in labels)
