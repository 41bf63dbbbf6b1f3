"""The Japanese diagnostic-label catalog (``resources/labels/catalog.json``).

Qt-free and torch-free. :func:`load_catalog` reads and validates the JSON and returns a
:class:`Catalog` of frozen :class:`Label` records with lookups by SCP code (PTB-XL), SNOMED CT
code (PhysioNet/CinC), PTB-XL ``heart_axis`` value, synonym, and an incremental search for the
review UI. The catalog is a proposal that needs review by a cardiologist (see ``review_note``).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ecg_viewer.core.errors import EcgError
from ecg_viewer.core.jsonfile import read_json_object
from ecg_viewer.core.paths import resources_dir
from ecg_viewer.core.prediction import SEVERITY

log = logging.getLogger(__name__)

CATEGORIES: tuple[str, ...] = ("A", "B", "C", "D", "E", "urgent")
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_]*$")
_SNOMED_RE = re.compile(r"^[0-9]{6,18}$")
_REQUIRED_STR = ("id", "ja", "en", "category", "reason")
_REQUIRED_LIST = ("synonyms_ja", "synonyms_en", "scp", "snomed", "minnesota")
_OPTIONAL_LIST = ("heart_axis", "scp_broader", "narrower")
_OPTIONAL_STR = ("narrower_reason",)


class CatalogError(EcgError, ValueError):
    """The label catalog file is missing or does not follow the schema."""

    def __init__(self, file: str | Path, problem: str) -> None:
        self.file = str(file)
        self.problem = problem
        super().__init__("labels.catalog_invalid", file=self.file, problem=problem)


def default_catalog_path() -> Path:
    return resources_dir() / "labels" / "catalog.json"


def normalize(text: str) -> str:
    """Search key: NFKC (full/half width folded), case-folded, without spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)).casefold())


@dataclass(frozen=True)
class Label:
    id: str
    ja: str
    en: str
    synonyms_ja: tuple[str, ...]
    synonyms_en: tuple[str, ...]
    scp: tuple[str, ...]  # PTB-XL SCP statements that mean this label
    snomed: tuple[str, ...]  # SNOMED CT codes (PhysioNet/CinC) that mean this label
    minnesota: tuple[str, ...]
    category: str  # "A" "B" "C" "D" "E" "urgent"
    reason: str
    heart_axis: tuple[str, ...] = ()  # PTB-XL heart_axis values that mean this label
    # broader SCP statements that include this finer label (e.g. 2AVB for Mobitz II): a record
    # with that code may or may not have this label, so it is not a positive for training.
    scp_broader: tuple[str, ...] = ()
    # narrower labels that each imply this one (前壁中隔心筋梗塞 is a 心筋梗塞), reviewed, with the
    # reason: the fusion scores this label as at least their calibrated probabilities (derived)
    narrower: tuple[str, ...] = ()
    narrower_reason: str = ""

    @property
    def prompt_text(self) -> str:
        """The text given to the text encoder, e.g. ``心房細動（atrial fibrillation）``."""
        return f"{self.ja}（{self.en}）"

    @property
    def names(self) -> tuple[str, ...]:
        """Every name this label goes by: Japanese, English, synonyms and abbreviations."""
        return (self.ja, self.en, *self.synonyms_ja, *self.synonyms_en)


@dataclass(frozen=True)
class Catalog:
    version: str
    labels: tuple[Label, ...]
    review_note: str = ""
    unmapped_scp: tuple[tuple[str, str], ...] = ()  # (code, reason)
    unmapped_snomed: tuple[tuple[str, str], ...] = ()
    unmapped_heart_axis: tuple[tuple[str, str], ...] = ()
    path: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {lab.id: lab for lab in self.labels})
        exact: dict[str, Label] = {}
        for lab in self.labels:
            for name in lab.names:
                exact.setdefault(normalize(name), lab)
        object.__setattr__(self, "_exact", exact)

    # --- lookups ------------------------------------------------------------------------
    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(lab.id for lab in self.labels)

    def __len__(self) -> int:
        return len(self.labels)

    def __iter__(self) -> Iterator[Label]:
        return iter(self.labels)

    def by_id(self, label_id: str) -> Label:
        try:
            return self._by_id[label_id]  # type: ignore[attr-defined]
        except KeyError:
            raise KeyError(f"label id {label_id!r} is not in catalog {self.version}") from None

    def labels_for_scp(self, codes: Iterable[str], include_broader: bool = False) -> set[str]:
        """Label ids for PTB-XL SCP codes (a dict of code -> likelihood works too: every listed
        code counts, since a likelihood of 0.0 means "not stated", not "absent")."""
        wanted = {str(c) for c in codes}
        return {
            lab.id for lab in self.labels
            if wanted.intersection(lab.scp)
            or (include_broader and wanted.intersection(lab.scp_broader))
        }  # fmt: skip

    def labels_for_snomed(self, codes: Iterable[str | int]) -> set[str]:
        wanted = {str(c).strip() for c in codes}
        return {lab.id for lab in self.labels if wanted.intersection(lab.snomed)}

    def labels_for_heart_axis(self, code: str | None) -> set[str]:
        if not code:
            return set()
        return {lab.id for lab in self.labels if code in lab.heart_axis}

    def labels_for_ptbxl(self, scp_codes: Iterable[str], heart_axis: str | None = None) -> set[str]:
        """Label ids of one PTB-XL record: its SCP codes (every listed one) and heart axis."""
        return self.labels_for_scp(scp_codes) | self.labels_for_heart_axis(heart_axis)

    def labels_for_texts(self, texts: Iterable[str]) -> tuple[set[str], list[str]]:
        """Label ids for Japanese (or English) label texts as a report or a hospital's CSV
        writes them (exact names, synonyms, abbreviations), and the texts that matched none."""
        ids: set[str] = set()
        unknown: list[str] = []
        for text in texts:
            if not str(text).strip():
                continue
            lab = self.match_synonym(text)
            if lab is None:
                unknown.append(text)
            else:
                ids.add(lab.id)
        return ids, unknown

    def match_synonym(self, text: str) -> Label | None:
        """The label whose name, synonym or abbreviation equals ``text`` (NFKC, any case)."""
        return self._exact.get(normalize(text))  # type: ignore[attr-defined]

    def search(self, text: str, limit: int = 10) -> list[Label]:
        """Incremental search for the review UI: exact name/abbreviation hits first, then
        names starting with ``text``, then names containing it (shorter names first)."""
        key = normalize(text)
        if not key:
            return []
        ranked: list[tuple[int, int, int, Label]] = []
        for order, lab in enumerate(self.labels):
            best: tuple[int, int] | None = None
            for name in lab.names:
                norm = normalize(name)
                if norm == key:
                    tier = 0
                elif norm.startswith(key):
                    tier = 1
                elif key in norm:
                    tier = 2
                else:
                    continue
                cand = (tier, len(norm))
                if best is None or cand < best:
                    best = cand
            if best is not None:
                ranked.append((best[0], best[1], order, lab))
        ranked.sort(key=lambda t: t[:3])
        return [t[3] for t in ranked[: max(0, int(limit))]]


# --- loading --------------------------------------------------------------------------------
def _str_list(lab: dict[str, Any], key: str, where: str, file: Path) -> tuple[str, ...]:
    value = lab.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise CatalogError(file, f"{where}: '{key}' must be a list of non-empty strings")
    return tuple(value)


def _reasons(raw: dict[str, Any], key: str, file: Path) -> tuple[tuple[str, str], ...]:
    value = raw.get(key, {})
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in value.items()
    ):
        raise CatalogError(file, f"'{key}' must map each code to a non-empty reason")
    return tuple(value.items())


def _label(raw: Any, index: int, file: Path) -> Label:
    where = f"labels[{index}]"
    if not isinstance(raw, dict):
        raise CatalogError(file, f"{where} must be an object")
    for key in _REQUIRED_STR:
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise CatalogError(file, f"{where}: '{key}' is missing or empty")
    where = f"label '{raw['id']}'"
    allowed = set(_REQUIRED_STR) | set(_REQUIRED_LIST) | set(_OPTIONAL_LIST) | set(_OPTIONAL_STR)
    for key in _REQUIRED_LIST:
        if key not in raw:
            raise CatalogError(file, f"{where}: '{key}' is missing")
    unknown = set(raw) - allowed
    if unknown:
        raise CatalogError(file, f"{where}: unknown field(s) {sorted(unknown)}")
    if not _ID_RE.match(raw["id"]):
        raise CatalogError(file, f"{where}: id must be lower-case ASCII letters, digits, '_'")
    if raw["category"] not in CATEGORIES:
        raise CatalogError(
            file, f"{where}: category must be one of {CATEGORIES}, got {raw['category']!r}"
        )
    lists = {k: _str_list(raw, k, where, file) for k in (*_REQUIRED_LIST, *_OPTIONAL_LIST)}
    bad = [c for c in lists["snomed"] if not _SNOMED_RE.match(c)]
    if bad:
        raise CatalogError(file, f"{where}: SNOMED CT codes must be digits, got {bad}")
    why = raw.get("narrower_reason", "")
    if not isinstance(why, str) or bool(lists["narrower"]) != bool(why.strip()):
        raise CatalogError(file, f"{where}: 'narrower' needs a non-empty 'narrower_reason' (and "
                                 "the reason needs the list)")
    return Label(id=raw["id"], ja=raw["ja"], en=raw["en"], category=raw["category"],
                 reason=raw["reason"], narrower_reason=why, **lists)  # fmt: skip


def _check_narrower(labels: tuple[Label, ...], file: Path) -> None:
    """Every narrower id exists, is not the label itself, is not broader in turn (one level, no
    cycles), and is at least as severe: deriving a broader label never raises the referral."""
    by_id = {lab.id: lab for lab in labels}
    for lab in labels:
        for nid in lab.narrower:
            other = by_id.get(nid)
            if other is None or nid == lab.id:
                raise CatalogError(file, f"label {lab.id!r}: narrower label {nid!r} is not another "
                                         "label of the catalog")
            if other.narrower:
                raise CatalogError(file, f"label {lab.id!r}: narrower label {nid!r} is broader "
                                         "itself (one level only)")
            # the referral order of the categories (every category was checked on reading)
            if SEVERITY[lab.category] > SEVERITY[other.category]:
                raise CatalogError(file, f"label {lab.id!r} (category {lab.category}) is more "
                                         f"severe than its narrower label {nid!r} ({other.category})")


def load_catalog(path: str | Path | None = None) -> Catalog:
    """Read and validate the catalog (default: ``resources/labels/catalog.json``)."""
    file = Path(path) if path is not None else default_catalog_path()
    raw = read_json_object(file, CatalogError, "'version' and 'labels'")
    if not isinstance(raw.get("version"), str) or not raw["version"].strip():
        raise CatalogError(file, "'version' is missing or empty")
    items = raw.get("labels")
    if not isinstance(items, list) or not items:
        raise CatalogError(file, "'labels' must be a non-empty list")
    labels = tuple(_label(item, i, file) for i, item in enumerate(items))
    seen: set[str] = set()
    for lab in labels:
        if lab.id in seen:
            raise CatalogError(file, f"duplicate label id {lab.id!r}")
        seen.add(lab.id)
    _check_narrower(labels, file)
    names: dict[str, str] = {}
    for lab in labels:
        for name in set(map(normalize, lab.names)):
            other = names.setdefault(name, lab.id)
            if other != lab.id:
                raise CatalogError(file, f"name {name!r} belongs to both {other!r} and {lab.id!r}")
    return Catalog(
        version=raw["version"],
        labels=labels,
        review_note=str(raw.get("review_note", "")),
        unmapped_scp=_reasons(raw, "unmapped_scp", file),
        unmapped_snomed=_reasons(raw, "unmapped_snomed", file),
        unmapped_heart_axis=_reasons(raw, "unmapped_heart_axis", file),
        path=str(file),
    )


@lru_cache(maxsize=1)
def default_catalog() -> Catalog:
    """The shipped catalog, loaded once."""
    return load_catalog()


def catalog_or_none() -> Catalog | None:
    """The shipped catalog, or None (logged at WARNING) when it cannot be read: reports and the
    window then show the labels the analysis carries, without the catalog's extra texts."""
    try:
        return default_catalog()
    except (EcgError, OSError, ValueError) as exc:
        log.warning("label catalog not available: %r", exc)
        return None


def match_synonym(text: str, catalog: Catalog | None = None) -> Label | None:
    """Exact synonym/abbreviation hit in ``catalog`` (default: the shipped one), else None."""
    return (catalog or default_catalog()).match_synonym(text)
