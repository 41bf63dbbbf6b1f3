"""Finding the patient's earlier ECGs.

A prior ECG is one of the same patient (the same patient ID in the files' metadata, and no
contradiction in sex or birth date when both files give them) recorded strictly before the
current one (an ECG with the same acquisition time is the same recording exported twice, not a
prior). Candidates are the ECG files in the current file's folder and the files the review
database knows (every ECG a clinician has reviewed). The newest such ECG is *the* prior.

Patient IDs that are placeholders (empty, one repeated character such as ``0000`` / ``9999`` /
``xxxx``, ``unknown``, ``anonymous``) are never matched: demo and anonymised files share them.
Formats that carry no patient ID in our readers (WFDB, CSV/TXT, EDF) are not read while searching;
for them, and for files without an ID or a time, the user picks the prior by hand.

Reading a candidate reads the whole file; the metadata of each file is cached by path, size and
modification time, so searching again in the same folder costs only the new files. A candidate
that cannot be read is logged at INFO (the log file, not the terminal) and handed back to a
caller who asks (``unreadable``), which says how many in one line of its own (QA 51: one English
WARNING line per unreadable file had filled the terminal of ``report``).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ecg_viewer.core.errors import EcgError
from ecg_viewer.core.messages import Bilingual, tr
from ecg_viewer.core.printable import on_disk, printable_path
from ecg_viewer.core.record import EcgMeta, EcgRecord
from ecg_viewer.io import read_ecg, supported_extensions

log = logging.getLogger(__name__)

#: extensions of the formats whose readers give no patient ID: skipped while searching
NO_ID_EXTENSIONS = frozenset({".hea", ".dat", ".mat", ".csv", ".tsv", ".txt", ".edf"})
#: at most this many files are read in one folder (a huge export folder must not stall the search)
MAX_FILES_SCANNED = 2000
_PLACEHOLDER_WORDS = frozenset({"unknown", "anonymous", "anon", "none", "null", "n/a", "na",
                                "test", "demo", "patient", "noname", "?"})
_SEPARATORS = re.compile(r"[\s\-_/.]+")


@dataclass(frozen=True)
class CandidateMeta:
    """What the search needs to know about one ECG file."""

    path: Path
    sha256: str | None
    patient_id: str | None
    recorded_at: datetime | None
    sex: str | None
    birth_date: date | None
    format: str

    @classmethod
    def of(cls, path: Path, record: EcgRecord) -> CandidateMeta:
        m = record.meta
        return cls(path, record.sha256, m.patient_id, m.recorded_at, m.sex, m.birth_date,
                   record.format)


@dataclass(frozen=True)
class PriorMatch:
    """A prior ECG found for the current one; ``source`` is "folder" (the current file's),
    "worklist" (another folder of the open worklist) or "database" (a reviewed ECG)."""

    path: Path
    recorded_at: datetime
    patient_id: str
    sha256: str | None
    source: str


def usable_patient_id(pid: Any) -> str | None:
    """The patient ID normalised for matching (surrounding blanks dropped; ``0012`` and ``12``
    stay different), or None for a missing or placeholder ID."""
    if pid is None:
        return None
    text = str(pid).strip()
    if text.endswith(".0") and text[:-2].isdigit():  # a number written by a spreadsheet
        text = text[:-2]
    bare = _SEPARATORS.sub("", text)
    if not bare or text.casefold() in _PLACEHOLDER_WORDS or len(set(bare.casefold())) == 1:
        return None
    return text


def _naive(dt: datetime) -> datetime:
    """Times compared on the wall clock (files of one hospital share its time zone)."""
    return dt.replace(tzinfo=None) if dt.tzinfo is not None else dt


def same_patient(a: EcgMeta | CandidateMeta, b: EcgMeta | CandidateMeta) -> bool:
    """Same usable patient ID, and no contradiction in sex or birth date where both give them."""
    pa, pb = usable_patient_id(a.patient_id), usable_patient_id(b.patient_id)
    if pa is None or pa != pb:
        return False
    if a.sex in ("M", "F") and b.sex in ("M", "F") and a.sex != b.sex:
        return False
    return not (a.birth_date and b.birth_date and a.birth_date != b.birth_date)


def is_earlier(prior: datetime | None, current: datetime | None) -> bool:
    """True when ``prior`` was recorded strictly before ``current`` (both known)."""
    if prior is None or current is None:
        return False
    return _naive(prior) < _naive(current)


# --- metadata cache ---------------------------------------------------------------------------
_CACHE: dict[tuple[str, int, int], CandidateMeta | None] = {}
_CACHE_LOCK = threading.Lock()
_CACHE_MAX = 20000


def candidate_meta(path: str | Path) -> CandidateMeta | None:
    """The metadata of one ECG file (None when it is not a readable ECG), cached."""
    return _candidate(Path(path))[0]


def _candidate(p: Path) -> tuple[CandidateMeta | None, bool]:
    """(the metadata of ``p`` or None, whether ``p`` is there but cannot be read as an ECG)."""
    try:
        st = p.stat()
    except OSError:
        return None, False
    key = (str(p.resolve()), st.st_size, st.st_mtime_ns)
    with _CACHE_LOCK:
        if key in _CACHE:
            return _CACHE[key], _CACHE[key] is None
    try:
        meta: CandidateMeta | None = CandidateMeta.of(p, read_ecg(p))
    except (EcgError, ValueError, OSError) as exc:
        log.info("not a candidate prior ECG (cannot be read): %s (%s)", printable_path(p), exc)
        meta = None
    with _CACHE_LOCK:
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.clear()
        _CACHE[key] = meta
    return meta, meta is None


def folder_files(folder: str | Path) -> list[Path]:
    """The ECG files of one folder that may carry a patient ID (no recursion), sorted."""
    exts = set(supported_extensions()) - NO_ID_EXTENSIONS
    try:
        files = sorted(p for p in Path(folder).iterdir()
                       if p.is_file() and p.suffix.lower() in exts)
    except OSError as exc:
        log.warning("cannot list %s: %s", folder, exc)
        return []
    if len(files) > MAX_FILES_SCANNED:
        log.warning("prior search: %d files in %s, only the first %d read", len(files), folder,
                    MAX_FILES_SCANNED)
        files = files[:MAX_FILES_SCANNED]
    return files


def database_files(store: Any) -> list[Path]:
    """Files of the ECGs the review database knows (``ReviewStore``), that still exist."""
    if store is None:
        return []
    try:
        shas = dict.fromkeys(e.sha256 for e in store.audit())
        paths = [store.get(sha).file_path for sha in shas]
    except EcgError as exc:  # a damaged database must not stop the viewer
        log.warning("prior search: review database not usable: %s", exc)
        return []
    out = []
    for p in paths:
        p = on_disk(p) if p else p  # a Shift_JIS name is stored as it prints (QA 47)
        if p and Path(p).is_file() and Path(p).suffix.lower() not in NO_ID_EXTENSIONS:
            out.append(Path(p))
    return out


#: of two copies of one prior ECG, the one nearer the current file is named
_NEARER = {"folder": 0, "worklist": 1, "database": 2}


def find_priors(record: EcgRecord, *, folder: str | Path | None = None, store: Any = None,
                extra_files: Iterable[str | Path] = (),
                unreadable: list[Path] | None = None) -> list[PriorMatch]:
    """Every earlier ECG of the same patient, newest first.

    ``folder`` defaults to the folder of ``record.source_path``; ``store`` is a ReviewStore (or
    None); ``extra_files`` are more candidates (e.g. a worklist). Empty when the record has no
    usable patient ID or no recording time. ``unreadable``, when given, receives the candidates
    that could not be read (their errors are in the log).
    """
    meta = record.meta
    if usable_patient_id(meta.patient_id) is None or meta.recorded_at is None:
        return []
    if folder is None and record.source_path:
        folder = Path(record.source_path).parent
    here = Path(record.source_path).resolve() if record.source_path else None
    sources: dict[Path, str] = {}
    for p in folder_files(folder) if folder is not None else []:
        sources.setdefault(p.resolve(), "folder")
    for p in extra_files:  # QA 44: day1/ found from day2/ had read "in the same folder"
        sources.setdefault(Path(p).resolve(), "worklist")
    for p in database_files(store):
        sources.setdefault(p.resolve(), "database")
    found: dict[str, PriorMatch] = {}
    for path, source in sources.items():
        if path == here:
            continue
        cand, bad = _candidate(path)
        if bad and unreadable is not None:
            unreadable.append(path)
        if cand is None or (record.sha256 and cand.sha256 == record.sha256):
            continue
        when = cand.recorded_at
        if when is None or not same_patient(meta, cand) or not is_earlier(when, meta.recorded_at):
            continue
        key = cand.sha256 or str(path)
        if key not in found or _NEARER[source] < _NEARER[found[key].source]:
            found[key] = PriorMatch(path, when, str(usable_patient_id(cand.patient_id)),
                                    cand.sha256, source)
    return sorted(found.values(), key=lambda m: (_naive(m.recorded_at), str(m.path)),
                  reverse=True)


def find_prior(record: EcgRecord, *, folder: str | Path | None = None, store: Any = None,
               extra_files: Iterable[str | Path] = (),
               unreadable: list[Path] | None = None) -> PriorMatch | None:
    """The newest earlier ECG of the same patient, or None (``unreadable``: as find_priors)."""
    priors = find_priors(record, folder=folder, store=store, extra_files=extra_files,
                         unreadable=unreadable)
    return priors[0] if priors else None


def why_no_search(record: EcgRecord) -> str | None:
    """The message key saying why no automatic search is possible (None when it is)."""
    if usable_patient_id(record.meta.patient_id) is None:
        return "compare.no_patient_id"
    if record.meta.recorded_at is None:
        return "compare.no_time"
    return None


def _sex_name(sex: str) -> Bilingual:
    return Bilingual(tr(f"report.sex.{sex}", "ja"), tr(f"report.sex.{sex}", "en"))


def _other_person(current: EcgMeta, prior: EcgMeta) -> tuple[str, dict[str, Any]] | None:
    """Sex, birth date or age that cannot be the same person's (a prior recorded earlier whose
    patient is older than the current one), whatever the IDs say."""
    if current.sex in ("M", "F") and prior.sex in ("M", "F") and current.sex != prior.sex:
        return "compare.other_sex", {"prior_sex": _sex_name(prior.sex),
                                     "current_sex": _sex_name(current.sex)}
    if current.birth_date and prior.birth_date and current.birth_date != prior.birth_date:
        return "compare.other_birth_date", {"prior_birth": prior.birth_date.isoformat(),
                                            "current_birth": current.birth_date.isoformat()}
    now, before = current.age_years, prior.age_years
    if now is not None and before is not None and float(before) - float(now) >= 1.0:
        return "compare.other_age", {"prior_age": f"{float(before):.0f}",
                                     "current_age": f"{float(now):.0f}"}
    return None


def check_manual_prior(current: EcgRecord, prior: EcgRecord) -> tuple[str, dict[str, Any]] | None:
    """A prior picked by hand is refused only when it is certainly wrong: the same ECG, another
    patient (both files carry usable IDs that differ; or, whatever the IDs, the sex or the birth
    date differ, or the prior's patient is older than the current one though the prior was
    recorded earlier: E07505, a woman of 77, picked as the prior of E07509, a man of 71), or not
    recorded earlier (both times known). Returns (message key, parameters) of the refusal, or
    None when it may be used."""
    if current.sha256 and prior.sha256 == current.sha256:
        return "compare.same_file", {}
    a, b = usable_patient_id(current.meta.patient_id), usable_patient_id(prior.meta.patient_id)
    if a and b and not same_patient(current.meta, prior.meta):
        # the same ID with another sex or birth date: that is what the user can check, not
        # "another patient's ID P100; this ECG P100" (QA 34)
        other = _other_person(current.meta, prior.meta) if a == b else None
        return other or ("compare.other_patient", {"prior_id": b, "current_id": a})
    ta, tb = current.meta.recorded_at, prior.meta.recorded_at
    if ta and tb and not is_earlier(tb, ta):
        return "compare.not_earlier", {"prior_date": tb.strftime("%Y-%m-%d %H:%M"),
                                       "current_date": ta.strftime("%Y-%m-%d %H:%M")}
    return _other_person(current.meta, prior.meta)
