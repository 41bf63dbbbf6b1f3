"""The criteria table (``resources/labels/criteria_rules.json``) as data: what
:mod:`ecg_viewer.labels.criteria` applies to the suggestions, read and validated by
:func:`load_criteria_rules`.

- ``rules``: per label, ``requires`` (all must hold) / ``requires_any`` (one must hold) are the
  published criteria that define it: when a measurement they name is known and trusted and fails,
  the label is *held back* - shown below its threshold (at most ``held_score_fraction`` of it)
  with the failing measurement as evidence (``supports=False``). ``supports`` are signs that
  speak for the label without defining it: shown as evidence, never holding it back.
- ``rate_variants``: a label that the rate turns into another one (sinus rhythm at 48/min is
  sinus bradycardia): when the first is above its threshold, or the two together reach it (they
  are one rhythm read at two rates), the first is held back and the second raised to its
  threshold when its own criteria allow.
- ``exclusive``: two groups of labels never both above threshold (sinus rhythm vs atrial
  fibrillation/flutter vs a paced rhythm); the measurements decide, else the label further above
  its threshold is kept.
- ``shown_when_any`` (in a rule): a finding that its measurements alone establish, the limits
  the referral rules name in the banner (QTc >= 460 ms, the axis beyond -30 / +120 degrees): when
  every condition of one group holds, each measurement known and trusted, a validated label is
  raised to its threshold with them as evidence and a line that says the measurements show it;
  never when its own ``requires`` hold it back, nor beside a ``shown_unless_any`` label above its
  threshold. A measurement missing or of low confidence raises nothing. Shown so, it hides
  正常心電図 as any finding does, unless ``measured_beside_normal``: a referral rule then names the
  same measurement and qualifies 正常心電図 「計測所見を除く」 (the QTc).
- ``conjunctions``: a label that is defined as several findings together (二枝ブロック: complete
  RBBB with a left anterior or posterior fascicular block) is scored from them, after the steps
  above (a finding held back does not count): above its threshold exactly when every group
  has a label above its own threshold, its score the weakest group's best label moved in logit
  onto the conjunction's scale (the lowest threshold of its parts, so it never scores above any
  group's best label: findings together are at most as likely as each), its evidence the labels
  that make it up (``CONJUNCTION_KEY``); not read while an ``unless_any`` label is shown. It
  then raises its own catalog category.
- ``confidence_min``, ``held_score_fraction``: see :mod:`ecg_viewer.labels.criteria`.

Qt-free and torch-free.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ecg_viewer.core.paths import resources_dir
from ecg_viewer.labels.referral_rules import RulesError, read_rule_table

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}  # fmt: skip


def unit_of(feature: str) -> str:
    """The unit a feature name carries (``_ms`` -> ms ...); "" for counts and yes/no."""
    for suffix, unit in (("_mv_ms", "mV·ms"), ("_ms", "ms"), ("_mv", "mV"), ("_bpm", "/min"),
                         ("_deg", "°")):  # fmt: skip
        if feature.endswith(suffix):
            return unit
    return ""


@dataclass(frozen=True)
class Condition:
    feature: str
    op: str
    value: Any  # number, bool or [low, high] for "between"
    value_female: Any = None
    veto: Any = None  # a looser limit for holding back ("between" only), default = value
    depends_on: tuple[str, ...] = ()
    # False: the condition only keeps the label from being held back (AF at a slow regular
    # rate: AF with AV block), it is no reason for the finding and is not shown as one
    evidence: bool = True
    # ("between" only) a failing value inside this range, and inside ``veto``, is a near miss:
    # its evidence is marked borderline (△). Default: the whole ``veto`` range. IRBBB's veto
    # [0, 119] keeps it at any QRS under 120 ms, but a QRS of 80 ms is no near miss of 110-119
    # (QA 70: 「△ QRS 幅 80 ms（110…119 ms、境界域）」, and ``borderline`` on nearly every
    # narrow-QRS record's IRBBB and ILBBB evidence)
    borderline: Any = None

    def limit(self, female: bool | None) -> Any:
        return self.value_female if female and self.value_female is not None else self.value

    def test(self, x: Any, limit: Any) -> bool:
        if self.op == "between":
            lo, hi = limit
            return bool(lo <= x <= hi)
        return bool(_OPS[self.op](x, limit))

    def near_miss(self, x: Any) -> bool:
        """Whether ``x``, failing the condition but not beyond its veto, is a near miss (see
        ``borderline``)."""
        return self.borderline is None or self.test(x, self.borderline)

    def criterion(self, female: bool | None) -> str:
        """Language-neutral text of the criterion, e.g. ``> 200 ms``, ``-90…-30°``, ``= true``."""
        unit = unit_of(self.feature)
        lim = self.limit(female)
        if self.op == "between":
            return f"{_num(lim[0])}…{_num(lim[1])}{' ' + unit if unit and unit != '°' else unit}"
        if isinstance(lim, bool):
            return f"= {str(lim).lower()}"
        op = {"<=": "≤", ">=": "≥", "==": "="}.get(self.op, self.op)
        return f"{op} {_num(lim)}{unit if unit.startswith('/') else ' ' + unit}".rstrip()


def _num(x: Any) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


@dataclass(frozen=True)
class LabelRule:
    label: str
    requires: tuple[Condition, ...] = ()
    requires_any: tuple[Condition, ...] = ()
    supports: tuple[Condition, ...] = ()
    source: str = ""
    # groups of conditions: when every condition of one group holds on trusted measurements, the
    # label is shown (raised to its threshold) whatever the model scored (QTc 511 ms named in the
    # 要至急 banner, with no QT延長 among the findings: QA 57)
    shown_when_any: tuple[tuple[Condition, ...], ...] = ()
    # labels that, above their threshold, keep ``shown_when_any`` from raising it (QT read on
    # flutter waves: the referral's QTc rules are silent beside 心房粗動 too)
    shown_unless_any: tuple[str, ...] = ()
    # shown so, it leaves 正常心電図 standing: a referral rule names the same measurement and
    # qualifies it 「正常心電図（計測所見を除く）」 (the QTc); without one 正常心電図 gives way
    measured_beside_normal: bool = False


@dataclass(frozen=True)
class RateVariant:
    label: str
    when: tuple[Condition, ...]
    becomes: str


@dataclass(frozen=True)
class Exclusive:
    id: str
    a: tuple[str, ...]
    b: tuple[str, ...]
    a_when_all: tuple[Condition, ...] = ()
    b_when_any: tuple[Condition, ...] = ()
    # "b": side b is always kept (正常心電図 against an abnormal finding: the finding is never
    # the one hidden); "" lets the measurements, then the scores, decide
    keep: str = ""


@dataclass(frozen=True)
class Conjunction:
    label: str
    all_of: tuple[tuple[str, ...], ...]  # one label of every group above its threshold
    source: str = ""
    # labels that, shown, make it unreadable (LVH with strain beside a complete LBBB: the LBBB's
    # own ST-T changes and voltage): it is then held below its threshold, naming the label
    unless_any: tuple[str, ...] = ()
    # measurements of which one must not fail (each known, trusted and failing holds it back,
    # naming them): 左室高電位＋ST-T異常 from a 左室肥大 whose every voltage criterion fails
    # (QA 59: E07517, 要精査 from that alone); a missing or greyed one holds nothing back
    requires_any: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class CriteriaRules:
    version: str
    rules: tuple[LabelRule, ...]
    rate_variants: tuple[RateVariant, ...] = ()
    exclusive: tuple[Exclusive, ...] = ()
    confidence_min: float = 0.5
    held_score_fraction: float = 0.5
    conjunctions: tuple[Conjunction, ...] = ()

    def rule(self, label: str) -> LabelRule | None:
        return self._by_label.get(label)

    def depends_of(self, feature: str) -> tuple[str, ...]:
        """The measurements ``feature`` rests on, as the table's conditions declare them
        (``depends_on``): it is no better than they are."""
        return self._depends.get(feature, ())

    @functools.cached_property
    def _depends(self) -> dict[str, tuple[str, ...]]:
        conds = [c for r in self.rules for c in (*r.requires, *r.requires_any, *r.supports,
                                                 *(c for g in r.shown_when_any for c in g))]
        conds += [c for v in self.rate_variants for c in v.when]
        conds += [c for e in self.exclusive for c in (*e.a_when_all, *e.b_when_any)]
        conds += [c for j in self.conjunctions for c in j.requires_any]
        out: dict[str, set[str]] = {}
        for c in conds:
            out.setdefault(c.feature, set()).update(c.depends_on)
        return {k: tuple(sorted(v)) for k, v in out.items() if v}

    @functools.cached_property
    def _by_label(self) -> dict[str, LabelRule]:
        """Each label's first rule (looked up for every label of every ECG)."""
        out: dict[str, LabelRule] = {}
        for r in self.rules:
            out.setdefault(r.label, r)
        return out


# --- loading ----------------------------------------------------------------------------------


def default_criteria_path() -> Path:
    return resources_dir() / "labels" / "criteria_rules.json"


def _condition(raw: Any, where: str, file: Path) -> Condition:
    if not isinstance(raw, dict) or not isinstance(raw.get("feature"), str):
        raise RulesError(file, f"{where}: each condition needs a 'feature' name")
    op = raw.get("op")
    if op not in _OPS and op != "between":
        raise RulesError(file, f"{where}: op must be one of {(*_OPS, 'between')}, got {op!r}")
    value = raw.get("value")
    for key in ("value", "value_female", "veto", "borderline"):
        v = raw.get(key)
        if v is None and key != "value":
            continue
        if op == "between":
            ok = (isinstance(v, list) and len(v) == 2
                  and all(isinstance(x, int | float) and not isinstance(x, bool) for x in v)
                  and v[0] <= v[1])  # fmt: skip
        elif op == "==":
            ok = isinstance(v, bool | int | float)
        else:
            ok = isinstance(v, int | float) and not isinstance(v, bool)
        if not ok:
            raise RulesError(file, f"{where}: '{key}' does not fit op {op!r}: {v!r}")
    deps = raw.get("depends_on", [])
    if not isinstance(deps, list) or not all(isinstance(d, str) for d in deps):
        raise RulesError(file, f"{where}: 'depends_on' must be a list of measurement names")
    shown = raw.get("evidence", True)
    if not isinstance(shown, bool):
        raise RulesError(file, f"{where}: 'evidence' must be true or false")
    return Condition(raw["feature"], op, tuple(value) if op == "between" else value,
                     raw.get("value_female"),
                     tuple(raw["veto"]) if raw.get("veto") is not None else None,
                     tuple(deps), shown,
                     tuple(raw["borderline"]) if raw.get("borderline") is not None else None,
                     )  # fmt: skip


def _conditions(raw: Any, where: str, file: Path) -> tuple[Condition, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise RulesError(file, f"{where} must be a list of conditions")
    return tuple(_condition(c, where, file) for c in raw)


def _groups(raw: Any, where: str, file: Path) -> tuple[tuple[Condition, ...], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(g, list) and g for g in raw):
        raise RulesError(file, f"{where} must be a list of non-empty lists of conditions")
    return tuple(_conditions(g, where, file) for g in raw)


def _ids(raw: Any, where: str, file: Path) -> tuple[str, ...]:
    if not isinstance(raw, list) or not raw or not all(isinstance(x, str) for x in raw):
        raise RulesError(file, f"{where} must be a non-empty list of label ids")
    return tuple(raw)


def load_criteria_rules(path: str | Path | None = None) -> CriteriaRules:
    """Read and validate the criteria table (default ``resources/labels/criteria_rules.json``)."""
    file = Path(path) if path is not None else default_criteria_path()
    raw = read_rule_table(file)
    rules = []
    for i, r in enumerate(raw.get("rules", [])):
        if not isinstance(r, dict) or not isinstance(r.get("label"), str):
            raise RulesError(file, f"rules[{i}] needs a 'label'")
        where = f"rule '{r['label']}'"
        rule = LabelRule(r["label"], _conditions(r.get("requires"), where, file),
                         _conditions(r.get("requires_any"), where, file),
                         _conditions(r.get("supports"), where, file), str(r.get("source", "")),
                         _groups(r.get("shown_when_any"), f"{where}.shown_when_any", file),
                         _ids(r["shown_unless_any"], f"{where}.shown_unless_any", file)
                         if "shown_unless_any" in r else (),
                         bool(r.get("measured_beside_normal", False)))
        if not (rule.requires or rule.requires_any or rule.supports):
            raise RulesError(file, f"{where}: needs 'requires', 'requires_any' or 'supports'")
        rules.append(rule)
    labels = [r.label for r in rules]
    if len(labels) != len(set(labels)):
        raise RulesError(file, "each label may have one rule only")
    variants = []
    for i, v in enumerate(raw.get("rate_variants", [])):
        where = f"rate_variants[{i}]"
        if not isinstance(v, dict) or not all(isinstance(v.get(k), str) for k in ("label", "becomes")):
            raise RulesError(file, f"{where} needs 'label' and 'becomes'")
        when = _conditions(v.get("when"), where, file)
        if not when:
            raise RulesError(file, f"{where}: 'when' must not be empty")
        variants.append(RateVariant(v["label"], when, v["becomes"]))
    excl = []
    for i, e in enumerate(raw.get("exclusive", [])):
        where = f"exclusive[{i}]"
        if not isinstance(e, dict) or not isinstance(e.get("id"), str):
            raise RulesError(file, f"{where} needs an 'id'")
        a, b = _ids(e.get("a"), f"{where}.a", file), _ids(e.get("b"), f"{where}.b", file)
        if set(a) & set(b):
            raise RulesError(file, f"{where}: a label cannot be on both sides")
        keep = e.get("keep", "")
        if keep not in ("", "b"):
            raise RulesError(file, f"{where}: 'keep' must be \"b\" when given")
        excl.append(Exclusive(e["id"], a, b, _conditions(e.get("a_when_all"), where, file),
                              _conditions(e.get("b_when_any"), where, file), keep))  # fmt: skip
    conj = []
    for i, c in enumerate(raw.get("conjunctions", [])):
        where = f"conjunctions[{i}]"
        groups = c.get("all_of") if isinstance(c, dict) else None
        if not isinstance(c, dict) or not isinstance(c.get("label"), str) or not c["label"] \
                or not isinstance(groups, list) or len(groups) < 2:
            raise RulesError(file, f"{where} needs a 'label' and 'all_of' (two groups or more)")
        all_of = tuple(_ids(g, f"{where}.all_of[{j}]", file) for j, g in enumerate(groups))
        if any(not g for g in all_of) or any(c["label"] in g for g in all_of):
            raise RulesError(file, f"{where}: every group needs labels other than the conjunction")
        unless = _ids(c["unless_any"], f"{where}.unless_any", file) if "unless_any" in c else ()
        conj.append(Conjunction(c["label"], all_of, str(c.get("source", "")), unless,
                                _conditions(c.get("requires_any"), where, file)))
    if len({c.label for c in conj}) != len(conj):
        raise RulesError(file, "each conjunction label may be defined once")
    conf, frac = raw.get("confidence_min", 0.5), raw.get("held_score_fraction", 0.5)
    for name, x in (("confidence_min", conf), ("held_score_fraction", frac)):
        if isinstance(x, bool) or not isinstance(x, int | float) or not 0.0 <= x < 1.0:
            raise RulesError(file, f"'{name}' must be a number in [0, 1)")
    return CriteriaRules(raw["version"], tuple(rules), tuple(variants), tuple(excl), float(conf),
                         float(frac), tuple(conj))  # fmt: skip


@lru_cache(maxsize=1)
def default_criteria_rules() -> CriteriaRules:
    return load_criteria_rules()
