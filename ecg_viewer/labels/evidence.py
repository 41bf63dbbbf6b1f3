"""The evidence behind a suggestion, as a clinician reads it (window, analyze, PDF, FHIR, banner).

``evidence_text(e)`` -> e.g. ``○ PR 間隔 236 ms（> 200 ms）`` / ``○ PR interval 236 ms (> 200 ms)``;
``×`` marks evidence against the label (why it was held back). Qt-free and torch-free.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Sequence
from functools import lru_cache

from ecg_viewer.core.messages import MESSAGES, language, list_sep, tr, unit_label
from ecg_viewer.core.prediction import MEASURED_KEY, Evidence, LabelScore
from ecg_viewer.labels.catalog import load_catalog
from ecg_viewer.labels.derived import CONJUNCTION_KEY, DERIVED_KEY
from ecg_viewer.labels.referral_rules import default_rules

#: evidence keys that are about the model, not the measurements
MODEL_KEYS = frozenset({"similarity", "score", "held_back", MEASURED_KEY})
# the display names of the evidence keys that are not criteria features (the model's, the
# criteria's own, and those naming another label)
_KEY_NAMES = {DERIVED_KEY: "evid.derived_name", CONJUNCTION_KEY: "evid.conjunction_name",
              "similarity": "evid.similarity_name", "score": "evid.score_name",
              "held_back": "evid.held_back_name", "rate_variant": "evid.rate_variant_name",
              "conflicts_with": "evid.conflicts_with_name",
              "measured_finding": "evid.measured_finding_name",
              MEASURED_KEY: "evid.shown_by_measurements_name"}


@lru_cache(maxsize=1)
def _label_names() -> dict[str, tuple[str, str]]:
    return {lab.id: (lab.ja, lab.en) for lab in load_catalog().labels}


def label_name(label_id: str, lang: str | None = None) -> str:
    ja, en = _label_names().get(label_id, (label_id, label_id))
    return ja if (lang or language()) == "ja" else en


def feature_name(key: str, lang: str | None = None) -> str:
    """Display name of a criteria feature or measurement key (the key itself when unknown)."""
    if key in _KEY_NAMES:  # a narrower label, a conjunction's part, the model's similarity ...
        return tr(_KEY_NAMES[key], lang)
    if f"critf.{key}" in MESSAGES:
        return tr(f"critf.{key}", lang)
    if "." in key:  # per-lead "V1.r_mv"
        lead, field = key.split(".", 1)
        if f"critl.{field}" in MESSAGES:
            return f"{tr(f'critl.{field}', lang)}（{lead}）" if (lang or language()) == "ja" \
                else f"{tr(f'critl.{field}', lang)} ({lead})"
    return key


def rate_units(text: str, lang: str | None = None) -> str:
    """``text`` (a value or a criterion such as "< 60/min") with the rate unit as ``lang``
    writes it, as the header, the banner and the criteria dock do: 「 /分」 in Japanese, " bpm"
    in English (QA 70: the English sheet read "HR 64 bpm" above "heart rate 64/min")."""
    unit = " " + unit_label("/min", lang or language())
    return text.replace("/min", unit).replace(" " + unit, unit)


def format_value(value: object, unit: str, lang: str | None = None, *, criterion: str = "",
                 meets: bool | None = None) -> str:
    """A value with its unit as the window shows it (ms, /min and ° whole; mV 2 decimals; a
    count whole, a ratio 2 decimals; the rate 「48 /分」 in Japanese). Given the ``criterion``
    it was tested against and whether it ``meets`` it, more digits where the rounded value
    would read as the other side of the limit (QA 46: ST -0.049 mV printed "× -0.05 mV
    (≤ -0.05 mV)")."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return tr("evid.yes" if value else "evid.no", lang)
    if isinstance(value, int | float):
        nd = 2 if unit == "mV" else 1 if unit == "mV·ms" else 0 if unit else 2
        if not unit and float(value).is_integer():
            nd = 0  # a count (陰性 T 波の誘導数 3, not 3.00); a ratio keeps 2 decimals
        if meets is not None and criterion:
            nd = _agreeing_digits(float(value), nd, criterion, meets)
        text = f"{float(value):.{nd}f}"
        if unit == "°" or unit.startswith("/"):
            return rate_units(f"{text}{unit}", lang)
        return f"{text} {unit}".rstrip()
    return str(value)


# a criterion as ``Condition.criterion`` writes it: "≤ -0.05 mV", "< 60/min", "-90…-30°"
_LIMIT = re.compile(r"^\s*(<=|>=|<|>|≤|≥)\s*(-?\d+(?:\.\d+)?)")
_RANGE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)…(-?\d+(?:\.\d+)?)")
_TESTS = {"<": operator.lt, ">": operator.gt, "<=": operator.le, "≤": operator.le,
          ">=": operator.ge, "≥": operator.ge}


def criterion_met(x: float, criterion: str) -> bool | None:
    """Whether ``x`` meets ``criterion`` (a limit or a range as the criteria table writes it);
    None for a criterion that is not one (``= true``, a model score's text)."""
    if m := _LIMIT.match(criterion):
        return bool(_TESTS[m.group(1)](x, float(m.group(2))))
    if m := _RANGE.match(criterion):
        return float(m.group(1)) <= x <= float(m.group(2))
    return None


def _agreeing_digits(x: float, nd: int, criterion: str, meets: bool) -> int:
    """``nd``, or the fewest more decimals (up to 4 more) at which ``x`` rounded still meets or
    fails ``criterion`` as ``x`` itself does; ``nd`` where ``x`` does not agree with ``meets``
    (the mark says something else than this test)."""
    if criterion_met(x, criterion) is not meets:
        return nd
    for digits in range(nd, nd + 5):
        if criterion_met(float(f"{x:.{digits}f}"), criterion) is meets:
            return digits
    return nd


def evidence_text(e: Evidence, lang: str | None = None, *, mark: bool = True,
                  source: bool = True) -> str:
    """One line of evidence; ``○``/``×`` says whether it speaks for or against the label, ``△``
    that it misses the criterion within the tolerance the label is kept at (``borderline``).
    ``source=False`` leaves out the "weighed in the fused probability" note of a fused feature
    (a list that says it once for all of them)."""
    lang = lang or language()
    ja = lang == "ja"
    lp, rp = ("（", "）") if ja else (" (", ")")
    sign = ("○ " if e.supports else "△ " if e.borderline else "× ") if mark else ""
    if e.key == "similarity":
        body = tr("evid.similarity", lang, value=float(e.value or 0.0))
    elif e.key == "score":
        body = tr("evid.score", lang, value=float(e.value or 0.0)) + f"{lp}{e.criterion}{rp}"
    elif e.key == "held_back":
        body = tr("evid.held_back", lang, value=float(e.value or 0.0), criterion=e.criterion)
    elif e.key == MEASURED_KEY:
        body = tr("evid.shown_by_measurements", lang, value=float(e.value or 0.0))
    elif e.key == "rate_variant":
        body = tr("evid.rate_variant", lang, label=label_name(str(e.value), lang))
    elif e.key == DERIVED_KEY:  # a broader label scored from a narrower one (labels/derived.py)
        body = tr("evid.derived_from", lang, label=label_name(str(e.value), lang), score=e.criterion)
    elif e.key == CONJUNCTION_KEY:  # a part of a label defined as findings together
        body = tr("evid.conjunction_of", lang, label=label_name(str(e.value), lang),
                  score=e.criterion)
    elif e.key == "conflicts_with":
        body = tr("evid.conflicts_with", lang, label=label_name(str(e.value), lang))
    elif e.key == "measured_finding":  # a measurement rule beside 正常心電図 (labels/referral.py)
        body = tr("evid.measured_finding", lang, finding=_rule_text(str(e.value), e.criterion, lang))
    else:
        name = feature_name(e.key, lang)
        value = format_value(e.value, e.unit, lang, criterion=e.criterion, meets=e.supports)
        if e.criterion == "fusion":  # a feature the fused probability weighed (labels/fusion.py)
            crit = f"{lp}{tr('evid.fusion_weighed', lang)}{rp}" if source else ""
        elif isinstance(e.value, bool) or not e.criterion:
            crit = ""
        else:
            crit = f"{lp}{rate_units(e.criterion, lang)}{rp}"
        if e.borderline and crit:  # 「（-45〜-90°、境界域）」
            crit = crit[:-len(rp)] + tr("evid.borderline", lang) + rp
        sep = ("：" if ja else ": ") if isinstance(e.value, bool) else \
            "" if ja and name.endswith("）") else " "  # 「R（V3）0.00 mV」
        if e.beat_range is not None:  # greyed, deciding as every group of beats meets it alike
            lo, hi = (format_value(v, e.unit, lang) for v in e.beat_range)
            # one bracket, 参考値 first: a panel row cuts the line's end (QA 48: 「（≥ 120 ms）
            # （参考値…）」 back to back, and 「QRS 幅 158 ms（…」 in the panel)
            crit = lp + tr("evid.low_confidence_range", lang, low=lo, high=hi,
                           criterion=rate_units(e.criterion, lang)) + rp
        body = f"{name}{sep}{value}{crit}"
    return sign + body


def _rule_text(rule_id: str, value: str, lang: str) -> str:
    """The sentence of measurement rule ``rule_id`` at ``value`` (「PR 112 ms：PR短縮（120 ms
    未満）」), the id itself for a rule the table no longer has."""
    rule = next((r for r in default_rules().measurement_rules if r.id == rule_id), None)
    try:
        return tr(rule.message, lang, value=float(value)) if rule is not None else rule_id
    except ValueError:
        return rule_id


def score_text(s: LabelScore, lang: str | None = None, *, short: bool = False) -> str:
    """A label's score as the views print it, "0.82"; for a label shown because its measurements
    meet its criteria (its score raised to its threshold) not that number but 「計測（モデル
    0.01）」 / "measured (model 0.01)", ``short``: 「計測」 / "measured" (the full text on hover)."""
    model = s.measured_score
    if model is None:
        return f"{s.score:.2f}"
    return tr("evid.score_measured" if short else "evid.score_measured_long", lang, value=model)


def measurement_evidence(s: LabelScore) -> tuple[Evidence, ...]:
    """The evidence from the measurements (not the model's similarity and score)."""
    return tuple(e for e in s.evidence if e.key not in MODEL_KEYS)


def evidence_summary(s: LabelScore, lang: str | None = None, limit: int = 3,
                     supports: bool | None = True) -> str:  # fmt: skip
    """The first ``limit`` measurement reasons (for the banner), "" when none; the features
    the fused probability weighed under one heading (:func:`evidence_line`). With
    ``supports=True`` a near miss the finding is kept at (``borderline``) is one of them, said
    so: 「QRS 軸 -36°（-90…-45°、境界域）」 (QA 70: the banner gave the fused copy of that axis as
    LAFB's reason, and nothing said it missed the criterion)."""
    items = [e for e in measurement_evidence(s) if supports is None or e.supports is supports
             or (supports is True and e.borderline)]
    return evidence_line(items[:limit], lang, mark=False)


def evidence_line(items: Sequence[Evidence], lang: str | None = None, *,
                  mark: bool = True) -> str:
    """``items`` as one run-in line (the banner, the PDF): the features the fused probability
    weighed come last, after one heading that says so (not a note on each: a line cut to its
    width keeps the heading)."""
    fused = [e for e in items if e.criterion == "fusion"]
    if not fused:
        return list_sep(lang).join(evidence_text(e, lang, mark=mark) for e in items)
    texts = [evidence_text(e, lang, mark=mark) for e in items if e.criterion != "fusion"]
    texts.append(tr("evid.fusion_weighed_all", lang, features=list_sep(lang).join(
        evidence_text(e, lang, mark=mark, source=False) for e in fused)))
    return list_sep(lang).join(texts)
