"""Findings new since the prior ECG, findings that resolved, and those a new conduction change
leaves not assessable.

A label counts as new (resolved) when it is above its threshold now and was not before (the
reverse), and its calibrated score moved by at least ``min_score_change``. Three refinements:

- a broader label scored from a narrower one (``labels/derived.py``, evidence ``derived_from``:
  T波異常 from 非特異的T波異常) is not a second new/resolved finding beside the narrower one
  that is new/resolved itself (598 against 581 listed 非特異的ST-T変化 and 非特異的ST変化 both
  resolved; 1877 against 1858 非特異的T波異常 and T波異常 both new, each raising 要経過観察);
- an axis-deviation label (左軸偏位 ...) is not new or resolved when the measured QRS axis moved
  less than the rule table's minimum shift, and a new one is not listed beside the comparison's
  own "new axis deviation" of the same side (one finding, one reason);
- a label a measurement defines (``defined_by_measurement``: I度房室ブロック by PR > 200 ms, 洞頻脈
  by a sinus rate over 100/min, QT延長, 左室高電位 ...) is not new when the prior's trusted
  measurements already met its definition, nor resolved while the current's still do: the
  score crossed its threshold, the finding did not change;
- a rhythm its rate variants imply (洞調律 under 洞頻脈 / 洞徐脈: the criteria table's
  ``rate_variants``) is not new beside a prior variant, nor resolved beside a current one: the
  sinus rhythm did not change, its rate did (QA 71: 1689 -> 1694, prior 洞頻脈 at 103/min, listed
  「新規所見: 洞調律」 beside a new 完全左脚ブロック); the variant itself is still new or resolved;
- when the current ECG has a NEW complete LBBB or paced rhythm (``masked_by_new_conduction``),
  the prior's ST-T, infarction, Q-wave and LVH findings no longer shown are not "resolved": the
  new depolarisation hides them, so they are listed as not assessable; when both ECGs have it,
  such findings are neither new nor resolved (not assessable either way, raising nothing).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ecg_viewer.core.messages import Bilingual, Reason, language, tr
from ecg_viewer.core.prediction import SEVERITY, Analysis, LabelScore
from ecg_viewer.labels.criteria import definition_met
from ecg_viewer.labels.criteria_table import default_criteria_rules
from ecg_viewer.labels.derived import DERIVED_KEY
from ecg_viewer.labels.referral import own_level

if TYPE_CHECKING:
    from ecg_viewer.compare.rules import ComparisonRules

#: the axis-deviation label of each category of the comparison rule table's axis section
AXIS_LABELS = {"left": "left_axis_deviation", "right": "right_axis_deviation",
               "extreme": "northwest_axis"}


@dataclass(frozen=True)
class FindingChange:
    id: str
    ja: str
    en: str
    category: str
    status: str  # "new" | "resolved" | "not_assessable" | "persisting" (a masking finding on both)
    score_current: float | None
    score_prior: float | None
    level: str | None = None  # for a new finding: the least referral level it raises

    @property
    def name(self) -> Bilingual:
        return Bilingual(self.ja, self.en)

    def to_dict(self) -> dict[str, Any]:
        def r(v: float | None) -> float | None:
            return None if v is None else round(float(v), 4)

        return {"id": self.id, "ja": self.ja, "en": self.en, "category": self.category,
                "status": self.status, "score_current": r(self.score_current),
                "score_prior": r(self.score_prior), "level": self.level}


@dataclass(frozen=True)
class Raise:
    """One reason the comparison gives for the referral flag."""

    level: str
    id: str  # "change:<rule id>", "new_axis:<category>", "new:<label id>"
    reason: Reason

    def text(self, lang: str | None = None) -> str:
        return self.reason.text(lang)

    @property
    def reason_ja(self) -> str:
        return self.reason.text("ja")

    @property
    def reason_en(self) -> str:
        return self.reason.text("en")


@dataclass(frozen=True)
class FindingsDiff:
    new: tuple[FindingChange, ...]
    resolved: tuple[FindingChange, ...]
    not_assessable: tuple[FindingChange, ...]
    # the LBBB / paced rhythm that hides them: new ("new") or on both ECGs ("persisting")
    masked_by: tuple[FindingChange, ...]
    raises: tuple[Raise, ...]


def _present(analysis: Analysis) -> dict[str, LabelScore]:
    pred = analysis.prediction
    return {s.id: s for s in pred.labels if s.above_threshold} if pred else {}


def _scores(analysis: Analysis) -> dict[str, LabelScore]:
    pred = analysis.prediction
    return {s.id: s for s in pred.labels} if pred else {}


def narrower_of(s: LabelScore) -> set[str]:
    """The narrower labels a broader label was scored from (evidence ``derived_from``)."""
    return {str(e.value) for e in s.evidence if e.key == DERIVED_KEY and e.value}


def _without_derived(items: list[FindingChange], scores: dict[str, LabelScore]
                     ) -> list[FindingChange]:
    ids = {f.id for f in items}
    return [f for f in items if not (f.id in scores and narrower_of(scores[f.id]) & ids)]


def compare_findings(current: Analysis, prior: Analysis, rules: ComparisonRules, date: Any, *,
                     axis_small_shift: bool = False,
                     axis_raised: str | None = None) -> FindingsDiff:
    """The findings part of the comparison (both analyses have model suggestions).
    ``date``: the prior's date as shown in a reason; ``axis_small_shift``: both QRS axes trusted
    and moved less than the minimum shift; ``axis_raised``: the category of the new axis
    deviation the comparison raised itself."""
    now, before = _present(current), _present(prior)
    all_now, all_before = _scores(current), _scores(prior)
    moved = rules.min_score_change
    skip = set(AXIS_LABELS.values()) if axis_small_shift else set()
    if axis_raised in AXIS_LABELS:
        skip.add(AXIS_LABELS[axis_raised])

    def flicker(a: LabelScore | None, b: LabelScore | None) -> bool:
        return a is not None and b is not None and abs(a.score - b.score) < moved

    def met(lid: str, analysis: Analysis) -> bool:
        """``lid`` is defined by a measurement and ``analysis``'s trusted measurements meet it
        (PTB-XL 308 -> 320: a "new" I度房室ブロック at PR 220 -> 218 ms)."""
        return lid in rules.defined_by_measurement and definition_met(
            lid, analysis.measurements, (analysis.criteria or {}).get("values")) is True

    base_of = {v.becomes: v.label for v in default_criteria_rules().rate_variants}

    def implied(lid: str, present: dict[str, LabelScore]) -> bool:
        """``lid`` is a rhythm that a label of ``present`` reads at another rate."""
        return any(base_of.get(other) == lid for other in present)

    new: list[FindingChange] = []
    for lid, s in now.items():
        old = all_before.get(lid)
        if lid in before or flicker(old, s) or lid in skip or met(lid, prior) \
                or implied(lid, before):
            continue
        level = rules.new_finding_level(lid, s.category)
        # never above what the single-ECG rules let it raise here: a new 前壁・側壁の心内膜下
        # 傷害 with a right bundle branch block is 要精査 there (secondary ST-T), not 要至急;
        # a finding a paced rhythm explains raises nothing
        own, lowered = own_level(s, current)
        if own is None:
            level = None
        elif lowered and level is not None and SEVERITY[level] > SEVERITY[own]:
            level = own
        new.append(FindingChange(lid, s.ja, s.en, s.category, "new", s.score,
                                 old.score if old else None, level))
    resolved: list[FindingChange] = []
    for lid, s in before.items():
        cur = all_now.get(lid)
        if lid in now or flicker(cur, s) or (axis_small_shift and lid in AXIS_LABELS.values()) \
                or met(lid, current) or implied(lid, now):
            continue
        resolved.append(FindingChange(lid, s.ja, s.en, s.category, "resolved",
                                      cur.score if cur else None, s.score))
    new = _without_derived(new, all_now)
    resolved = _without_derived(resolved, all_before)
    masking = tuple(f for f in new if f.id in rules.masking_labels)
    # a complete LBBB (paced rhythm) on both ECGs hides the same findings on both: through it
    # neither a new nor a vanished infarction, ST-T or LVH finding can be read (PTB-XL 279 ->
    # 282, LBBB on both, listed a new 前壁中隔心筋梗塞, 左室肥大 and ST低下, each raising 要精査)
    both = tuple(FindingChange(lid, s.ja, s.en, s.category, "persisting", s.score,
                               before[lid].score)
                 for lid, s in now.items() if lid in rules.masking_labels and lid in before)
    hidden: list[FindingChange] = []
    if masking or both:
        hidden = [FindingChange(f.id, f.ja, f.en, f.category, "not_assessable",
                                f.score_current, f.score_prior)
                  for f in resolved if f.id in rules.masked_labels]
        resolved = [f for f in resolved if f.id not in rules.masked_labels]
    if both:
        hidden += [FindingChange(f.id, f.ja, f.en, f.category, "not_assessable",
                                 f.score_current, f.score_prior)
                   for f in new if f.id in rules.masked_labels]
        new = [f for f in new if f.id not in rules.masked_labels]
        masking += both
    raises = tuple(Raise(f.level, f"new:{f.id}", Reason.of(
        "compare.new_finding", label=f.name, date=date)) for f in new if f.level)
    return FindingsDiff(tuple(new), tuple(resolved), tuple(hidden), masking, raises)


def not_assessable_title(masked_by: tuple[FindingChange, ...], lang: str | None = None) -> str:
    """The heading of the not-assessable findings: hidden by a new LBBB / paced rhythm, or by
    one present on both ECGs."""
    ja = (lang or language()) == "ja"
    labels = ("・" if ja else ", ").join(f.ja if ja else f.en for f in masked_by)
    new = any(f.status != "persisting" for f in masked_by)
    return tr("compare.not_assessable_header" if new else "compare.not_assessable_header_both",
              lang, labels=labels)
