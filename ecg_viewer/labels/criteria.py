"""Suggestions that never contradict the measurements they rest on, each with its evidence.

:func:`apply_criteria` applies the criteria table (:mod:`ecg_viewer.labels.criteria_table`, which
says what each of its parts - ``rules``, ``rate_variants``, ``exclusive``, ``conjunctions`` - does)
to the labels of one ECG.

A measurement that is None, or of low confidence (``measurements["low_confidence"]`` naming its
key, or - when the measurements give no such list - ``measurements["confidence"][key]`` under
``confidence_min``), neither holds a label back nor appears as evidence. Labels without a
validated threshold (threshold >= 1, shown （未検証）) keep their zero-shot score untouched,
except a conjunction scored from validated labels; one that its rule's measurements contradict
is ranked after the others, with them as evidence against it. Every label above threshold gets the model
similarity and its score as evidence too. Qt-free and torch-free.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ecg_viewer.core.criteria_features import CriteriaFeatures
from ecg_viewer.core.prediction import MEASURED_KEY, Evidence, LabelScore
from ecg_viewer.labels.criteria_table import (
    Condition,
    Conjunction,
    CriteriaRules,
    LabelRule,
    default_criteria_rules,
    unit_of,
)
from ecg_viewer.labels.derived import (
    CONJUNCTION_KEY,
    DERIVED_KEY,
    LABEL_VALUED_KEYS,
    combine_scores,
)

UNVALIDATED_THRESHOLD = 1.0


# --- evaluation -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Outcome:
    state: str  # "holds", "fails", "unknown"
    evidence: Evidence | None  # None when unknown
    vetoes: bool = False  # fails beyond the veto limit


class _Judge:
    """Evaluates conditions on the features, honouring None and low-confidence measurements."""

    def __init__(self, features: CriteriaFeatures, measurements: Mapping[str, Any] | None,
                 rules: CriteriaRules) -> None:  # fmt: skip
        self.values = features.values
        self.female = features.values.get("female")
        m = measurements or {}
        low = m.get("low_confidence") or ()
        self.low = set(low) if isinstance(low, list | tuple | set | frozenset | dict) else set()
        conf = m.get("confidence") or {}
        # the measurements' own verdict (``low_confidence``, with its per-interval limits) comes
        # first; the numeric confidence against ``confidence_min`` only when there is none
        self.conf = conf if isinstance(conf, Mapping) and "low_confidence" not in m else {}
        self.min = rules.confidence_min
        rng = m.get("range") or {}
        self.ranges = rng if isinstance(rng, Mapping) else {}

    def trusted(self, c: Condition) -> bool:
        return self.keys_trusted((*c.depends_on, c.feature))

    def keys_trusted(self, keys: Sequence[str]) -> bool:
        """Whether none of the measurements ``keys`` is of low confidence."""
        for key in keys:
            if key in self.low:
                return False
            x = self.conf.get(key)
            if isinstance(x, str) and x.lower() in ("low", "none"):
                return False
            if isinstance(x, int | float) and not isinstance(x, bool) and x < self.min:
                return False
        return True

    def judge(self, c: Condition) -> _Outcome:
        x = self.values.get(c.feature)
        if x is None or (isinstance(x, float) and not math.isfinite(x)):
            return _Outcome("unknown", None)
        if not self.trusted(c):
            return self._by_range(c, x)
        if c.feature.endswith("_deg") and isinstance(x, int | float):
            x = ((float(x) + 180.0) % 360.0) - 180.0
            x = 180.0 if x == -180.0 else x
        holds = c.test(x, c.limit(self.female))
        vetoes = not holds and not (c.veto is not None and c.test(x, c.veto))
        value = _kept(x, c, c.limit(self.female), holds)
        ev = Evidence(self._shown_key(c.feature), value, unit_of(c.feature),
                      c.criterion(self.female), holds,
                      borderline=not holds and not vetoes and c.near_miss(x))
        return _Outcome("holds" if holds else "fails", ev, vetoes)

    def _shown_key(self, feature: str) -> str:
        """The measurement the evidence names: LAFB's axis is the whole QRS's (``qrs_axis_deg``)
        but beside a complete RBBB that turned it north-west (signal/criteria.py). Named
        「QRS 軸（右脚ブロックでは最初の 60 ms）」 where it was the whole QRS's, the evidence line
        was cut before its value in the panel, and the fused probability's copy of the same axis
        stood beside it as a second line (QA 70: 「△ QRS 軸（右脚ブロックでは最初の 60 m…」 over
        「○ QRS 軸 -44°（統合確率への寄与）」)."""
        if feature == "fascicular_axis_deg" and \
                self.values.get(feature) == self.values.get("qrs_axis_deg"):
            return "qrs_axis_deg"
        return feature

    def _by_range(self, c: Condition, x: Any) -> _Outcome:
        """A value greyed for the spread between groups of beats still decides ``c`` when its
        main value and every group's meet it alike (``range``: their lowest and highest); its
        other measurements (``depends_on``) must be trusted."""
        rng = self.ranges.get(c.feature)
        if (not isinstance(rng, list | tuple) or len(rng) != 2 or c.feature.endswith("_deg")
                or not self.keys_trusted(c.depends_on)):
            return _Outcome("unknown", None)
        lim = c.limit(self.female)
        ends = [c.test(float(v), lim) for v in rng]
        if ends[0] != ends[1] or c.test(float(x), lim) != ends[0]:
            return _Outcome("unknown", None)
        holds = ends[0]
        vetoes = not holds and not (c.veto is not None
                                    and any(c.test(float(v), c.veto) for v in (*rng, x)))
        value = _kept(x, c, lim, holds)
        ev = Evidence(c.feature, value, unit_of(c.feature), c.criterion(self.female), holds,
                      beat_range=(float(min(rng)), float(max(rng))),
                      borderline=not holds and not vetoes and c.near_miss(float(x)))
        return _Outcome("holds" if holds else "fails", ev, vetoes)


def _kept(x: Any, c: Condition, limit: Any, holds: bool) -> Any:
    """The value the evidence keeps: 3 decimals, or 6 where 3 would meet the limit otherwise
    than the value tested did (-0.0496 mV against ≤ -0.05 mV), so the line printed from it
    agrees with its mark (QA 46)."""
    if not isinstance(x, float):
        return x
    value = round(float(x), 3)
    return value if c.test(value, limit) == holds else round(float(x), 6)


def _rule_evidence(rule: LabelRule, judge: _Judge) -> tuple[list[Evidence], bool]:
    """(evidence, held back?) of one label's rule."""
    evidence: list[Evidence] = []
    held = False
    for c in rule.requires:
        out = judge.judge(c)
        if out.evidence is not None:
            # one line per measurement: the condition it fails, if any (48/min: "≥ 50/min")
            same = next((i for i, e in enumerate(evidence) if e.key == c.feature), None)
            if same is None:
                evidence.append(out.evidence)
            elif evidence[same].supports and not out.evidence.supports:
                evidence[same] = out.evidence
        held = held or out.vetoes
    if rule.requires_any:
        outs = [judge.judge(c) for c in rule.requires_any]
        if any(o.state == "holds" for o in outs):
            evidence += [o.evidence for c, o in zip(rule.requires_any, outs, strict=True)
                         if o.state == "holds" and o.evidence and c.evidence]
        elif all(o.state == "fails" for o in outs):
            evidence += [o.evidence for o in outs if o.evidence]
            held = held or all(o.vetoes for o in outs)
    for c in rule.supports:
        out = judge.judge(c)
        if out.evidence is not None:
            _add_new_keys(evidence, [out.evidence])
    return evidence, held


def _all_hold(conds: Sequence[Condition], judge: _Judge) -> list[Evidence] | None:
    """The evidence of ``conds`` (those that are reasons: ``evidence``) when every one holds on
    trusted measurements, else None."""
    outs = [(c, judge.judge(c)) for c in conds]
    if not conds or any(o.state != "holds" for _, o in outs):
        return None
    return [o.evidence for c, o in outs if o.evidence and c.evidence]


def _any_holds(conds: Sequence[Condition], judge: _Judge) -> list[Evidence] | None:
    got = [o.evidence for o in (judge.judge(c) for c in conds) if o.state == "holds" and o.evidence]
    return got or None


def definition_met(label: str, measurements: Mapping[str, Any] | None,
                   values: Mapping[str, Any] | None,
                   rules: CriteriaRules | None = None) -> bool | None:
    """Whether the measurements that define ``label`` meet its rule (every ``requires`` and one
    of ``requires_any`` holds, each measurement trusted): True; one fails: False; a measurement
    missing or of low confidence, or no such rule: None. ``values``: the criteria features
    (``CriteriaFeatures.values``), the measurements' own values filling what they lack."""
    rules = rules or default_criteria_rules()
    rule = rules.rule(label)
    if rule is None or not (rule.requires or rule.requires_any):
        return None
    m = dict(measurements or {})
    merged = {k: v for k, v in m.items() if isinstance(v, int | float | bool) or v is None}
    merged.update(values or {})
    judge = _Judge(CriteriaFeatures(values=merged), m, rules)
    outs = [judge.judge(c).state for c in rule.requires]
    anys = [judge.judge(c).state for c in rule.requires_any]
    if "fails" in outs or (anys and all(o == "fails" for o in anys)):
        return False
    if all(o == "holds" for o in outs) and (not anys or "holds" in anys):
        return True
    return None


def apply_criteria(
    labels: Sequence[LabelScore], measurements: Mapping[str, Any] | None,
    features: CriteriaFeatures | None, rules: CriteriaRules | None = None,
) -> tuple[LabelScore, ...]:
    """The labels made consistent with the measurements, with evidence, re-sorted by score as the
    predictor sorts them, every held-back label after those that were not held back."""
    rules = rules or default_criteria_rules()
    if features is None:
        features = CriteriaFeatures()
    judge = _Judge(features, measurements, rules)
    scores = {s.id: s for s in labels}
    evidence: dict[str, list[Evidence]] = {s.id: [] for s in labels}
    held: set[str] = set()
    raised: set[str] = set()
    by_measurements: set[str] = set()  # raised by shown_when_any

    def validated(s: LabelScore) -> bool:
        return s.threshold < UNVALIDATED_THRESHOLD

    # the label's own criteria
    for s in labels:
        rule = rules.rule(s.id)
        if rule is None:
            continue
        ev, h = _rule_evidence(rule, judge)
        if validated(s):
            evidence[s.id] += ev
        elif h:  # unvalidated: its score stays, but one the measurements contradict is ranked
            # after the others and says why (QA 46: 頻脈性心房細動（未検証） at 59/min)
            evidence[s.id] += [e for e in ev if not e.supports]
        if h:
            held.add(s.id)
    # rate variants: sinus rhythm at 48/min reads as sinus bradycardia. The two labels are two
    # readings of one rhythm (a PTB-XL record carries one rhythm statement: SR or SBRAD, not
    # both), so the rhythm is there when their probabilities together reach the threshold of
    # either: a model unsure whether 48/min is "sinus rhythm" or "sinus bradycardia" must not
    # end up showing neither (CinC JS20015, P waves at 104/min: sinus rhythm 0.14 of 0.63,
    # sinus tachycardia 0.40 of 0.54)
    for v in rules.rate_variants:
        src, dst = scores.get(v.label), scores.get(v.becomes)
        if src is None or not validated(src):
            continue
        dst_ok = dst is not None and validated(dst)
        together = src.score + (dst.score if dst_ok else 0.0)
        if not (src.above_threshold or together >= src.threshold
                or (dst_ok and together >= dst.threshold)):
            continue
        if not src.above_threshold and dst_ok and dst.above_threshold:
            continue  # the model read the rate's rhythm itself: nothing was renamed (QA 59)
        why = _all_hold(v.when, judge)
        if why is None:
            continue
        held.add(src.id)
        _add_new_keys(evidence[src.id], [replace(e, supports=False) for e in why])
        if dst is not None and validated(dst) and dst.id not in held:
            raised.add(dst.id)
            evidence[dst.id].append(Evidence("rate_variant", src.id, "", v.becomes, True))
            _add_new_keys(evidence[dst.id], why)

    # findings that the measurements alone establish (a rule's shown_when_any): the banner names
    # QTc 511 ms; the findings must not leave QT延長 out (QA 57)
    for s in labels:
        rule = rules.rule(s.id)
        if (rule is None or not rule.shown_when_any or not validated(s) or s.id in held
                or s.above_threshold or s.id in raised
                or any(scores[i].above_threshold and i not in held
                       for i in rule.shown_unless_any if i in scores)):
            continue
        why = next((w for g in rule.shown_when_any if (w := _all_hold(g, judge)) is not None),
                   None)
        if why is None:
            continue
        raised.add(s.id)
        by_measurements.add(s.id)
        _add_new_keys(evidence[s.id], why)
        evidence[s.id].append(Evidence(MEASURED_KEY, round(float(s.score), 4), "", "", True))

    def present(label_id: str) -> bool:
        s = scores[label_id]
        return label_id not in held and (s.above_threshold or label_id in raised)

    # exclusive groups: never both sides above threshold
    for ex in rules.exclusive:
        side_a = [i for i in ex.a if i in scores and present(i)]
        # a finding the measurements alone show whose referral rule qualifies 正常心電図 does not
        # hide it (keep "b": findings over it): qualify_normal reads it as 「正常心電図（計測所見を
        # 除く）」 and names the measurement, as carts print "otherwise normal ECG" beside a long QTc
        side_b = [i for i in ex.b if i in scores and present(i)
                  and not (ex.keep == "b" and i in by_measurements
                           and rules.rule(i).measured_beside_normal)]
        if not side_a or not side_b:
            continue
        why_b = _any_holds(ex.b_when_any, judge)
        why_a = None if why_b else _all_hold(ex.a_when_all, judge)
        if ex.keep == "b":
            keep_a, why = False, why_b or []
        elif why_b is None and why_a is None:
            def ratio(ids: list[str]) -> float:
                return max(scores[i].score / max(scores[i].threshold, 1e-6) for i in ids)
            keep_a = ratio(side_a) >= ratio(side_b)
            why: list[Evidence] = []
        else:
            keep_a = why_a is not None
            why = why_a or why_b or []
        winners, losers = (side_a, side_b) if keep_a else (side_b, side_a)
        for i in losers:
            held.add(i)
            evidence[i].append(Evidence("conflicts_with", winners[0], "", ex.id, False))
            _add_new_keys(evidence[i], [replace(e, supports=False) for e in why])

    out: list[LabelScore] = []
    for s in labels:
        score = s.score
        ev = list(evidence[s.id])
        # what the fusion said (similarity, features that weighed), but never a measurement of
        # low confidence (greyed on screen: no reason for anything)
        _add_new_keys(ev, [e for e in s.evidence if e.criterion != "fusion"
                           or judge.keys_trusted((e.key, *rules.depends_of(e.key)))])
        if s.id in held:  # with what the model said before the measurements held it back
            # (a finding raised from its measurements and then held back by an exclusive group
            # is not "shown from its measurements")
            ev = [e for e in ev if e.key != MEASURED_KEY]
            by_measurements.discard(s.id)
            score = min(score, rules.held_score_fraction * s.threshold)
            ev.insert(0, Evidence("held_back", round(float(s.score), 4), "",
                                  f"{'≥' if s.above_threshold else '<'} {s.threshold:.2f}", False))
        elif s.id in raised:
            score = max(score, s.threshold)
        if s.id in by_measurements:
            # the model's similarity as it is, for or against; no "score ≥ threshold" line: the
            # score is the raised one (QA 63: a similarity of -0.11 went to FHIR as supporting)
            _add_new_keys(ev, [Evidence("similarity", round(float(s.similarity), 3), "", "",
                                        s.similarity > 0)])
        elif score >= s.threshold:
            derived = any(e.key == DERIVED_KEY for e in ev)  # its own similarity is zero-shot
            _add_new_keys(ev, [
                *([] if derived else [Evidence("similarity", round(float(s.similarity), 3), "", "",
                                               True)]),
                Evidence("score", round(float(score), 3), "", f"≥ {s.threshold:.2f}", True)])
        out.append(s.rescored(score, s.threshold, tuple(ev)))
    out = _conjunctions(out, rules.conjunctions, rules.held_score_fraction, judge)
    out.sort(key=lambda s: (s.id in held, -s.score, -s.similarity))
    return tuple(out)


def _conjunctions(labels: list[LabelScore], conjunctions: Sequence[Conjunction],
                  held_fraction: float = 0.5, judge: _Judge | None = None) -> list[LabelScore]:
    """``labels`` with every conjunction label scored from its groups (see the module text); a
    conjunction whose label or any group has no validated label here is left as it is; one that a
    shown ``unless_any`` label makes unreadable is held at ``held_fraction`` of its threshold."""
    if not conjunctions:
        return labels
    by_id = {s.id: s for s in labels}
    for cj in conjunctions:
        s = by_id.get(cj.label)
        groups = [[by_id[i] for i in g if i in by_id and by_id[i].threshold < UNVALIDATED_THRESHOLD]
                  for g in cj.all_of]
        if s is None or not all(groups):
            continue
        # read on the lowest threshold of its parts: every part's score is moved down (never up)
        # onto it, so the conjunction never scores above the best label of any group (findings
        # together are at most as likely as each of them) and a sub-threshold record does not
        # rank it above its parts
        t = min(x.threshold for g in groups for x in g)
        per_group = [float(combine_scores(np.array([[x.score for x in g]]), "max_aligned",
                                          np.array([x.threshold for x in g]), t)[0])
                     for g in groups]
        score = min(per_group)
        ev: list[Evidence] = []
        stop = next((by_id[i] for i in cj.unless_any if i in by_id and by_id[i].above_threshold),
                    None)
        outs = [judge.judge(c) for c in cj.requires_any] if judge is not None else []
        failed = bool(outs) and all(o.state == "fails" for o in outs)
        if stop is not None and score >= t:
            score = min(score, held_fraction * t)
            ev.append(Evidence("conflicts_with", stop.id, "", cj.label, False))
        elif failed and score >= t:
            ev.append(Evidence("held_back", round(score, 4), "", f"≥ {t:.2f}", False))
            ev += [o.evidence for o in outs if o.evidence is not None]
            score = min(score, held_fraction * t)
        elif score >= t:
            for g in groups:  # the label of each group furthest above its own threshold
                best = max(g, key=lambda x: x.score / max(x.threshold, 1e-6))
                ev.append(Evidence(CONJUNCTION_KEY, best.id, "", f"{best.score:.2f}", True))
            ev.append(Evidence("score", round(score, 3), "", f"≥ {t:.2f}", True))
        by_id[cj.label] = s.rescored(score, t, tuple(ev))
    return [by_id[s.id] for s in labels]


def _add_new_keys(into: list[Evidence], items: Sequence[Evidence]) -> None:
    """Append the items whose key is not in ``into`` yet (one line per measurement; per label for
    the keys that name one: 心筋梗塞 derived from 前壁中隔 and 前側壁心筋梗塞 names both)."""
    if not items:
        return

    def ident(e: Evidence) -> tuple[str, Any]:
        return (e.key, e.value if e.key in LABEL_VALUED_KEYS else None)

    keys = {ident(e) for e in into}
    for e in items:
        if ident(e) not in keys:
            into.append(e)
            keys.add(ident(e))


def held_back(s: LabelScore, *, from_above: bool = True) -> bool:
    """True when the measurements held ``s`` back and the model had it above its threshold
    (``from_above=False``: any label its measurements contradict, even one the model scored low)."""
    return any(e.key == "held_back" and (not from_above or float(e.value or 0.0) >= s.threshold)
               for e in s.evidence)

