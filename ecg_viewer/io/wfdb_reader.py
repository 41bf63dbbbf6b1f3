"""WFDB (PhysioNet): a ``.hea`` header with ``.dat`` / ``.mat`` signal files, via ``wfdb``.

Covers PTB-XL, the PhysioNet/CinC challenge records (WFDB-format ``.mat`` signal files with
``# Age:``, ``# Sex:`` and ``# Dx:`` comments), PTB Diagnostic (15 channels) and MIT-BIH.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from ecg_viewer.core.errors import (
    CorruptFileError,
    HeaderValueError,
    InvalidSignalError,
    NoWaveformError,
)
from ecg_viewer.core.messages import Bilingual
from ecg_viewer.core.record import EcgMeta
from ecg_viewer.io.builder import Channel, RawEcg
from ecg_viewer.io.library_text import library_said
from ecg_viewer.io.registry import MAX_FILE_BYTES, ReaderSpec, check_file, register
from ecg_viewer.io.validate import check_total_values
from ecg_viewer.io.wfdb_header import (
    BYTES_PER_SAMPLE,
    INVALID_SAMPLE,
    WfdbHeader,
    normalised_header_text,
    read_header,
)

log = logging.getLogger(__name__)

_SIGNAL_EXTS = (".dat", ".mat", ".xyz")


def _header_path(path: Path) -> Path:
    if path.suffix.lower() == ".hea":
        return path
    hea = path.with_suffix(".hea")
    if hea.is_file():
        return hea
    raise CorruptFileError(
        path, expected=Bilingual("信号ファイルと同じフォルダーにある WFDB ヘッダー（.hea）",
                                 "a WFDB header (.hea) beside the signal file"),
        found=Bilingual(f"{hea.name} なし", f"no {hea.name}"), format="WFDB")


def _sniff(head: bytes, path: Path) -> bool:
    if path.suffix.lower() == ".hea":
        return True
    # A .dat/.mat signal file with its header next to it is a WFDB record (a CinC .mat is not MATLAB).
    return path.suffix.lower() in _SIGNAL_EXTS and path.with_suffix(".hea").is_file()


def _parse_comments(comments: list[str]) -> tuple[dict[str, str], list[str]]:
    fields: dict[str, str] = {}
    free: list[str] = []
    for c in comments:
        m = re.match(r"^\s*([A-Za-z][\w ()/.-]{0,60}):\s*(.*)$", c)
        if m and m.group(2).strip():
            fields.setdefault(m.group(1).strip().lower(), m.group(2).strip())
        elif c.strip():
            free.append(c.strip())
    return fields, free


def _meta(rec: Any) -> EcgMeta:
    fields, _ = _parse_comments(list(rec.comments or []))
    sex = fields.get("sex", "").strip().lower()
    sex_code = {"male": "M", "m": "M", "female": "F", "f": "F"}.get(sex)
    age = None
    text = fields.get("age", "").strip()
    if text and text.lower() not in ("nan", "unknown", "-"):
        try:
            age = float(text)
        except ValueError:
            log.warning("WFDB header comment age %r is not a number; age unknown", text)
        if age is not None and not 0 <= age < 130:
            log.warning("WFDB header comment age %r is outside 0-130; age unknown", text)
            age = None
    recorded = None
    if rec.base_date is not None:
        recorded = datetime.combine(rec.base_date, rec.base_time or datetime.min.time())
    extra: dict[str, Any] = {}
    if "dx" in fields:
        extra["snomed_dx"] = [c.strip() for c in fields["dx"].split(",") if c.strip()]
    for key in ("reason for admission", "ecg date", "rx", "hx"):
        if key in fields and fields[key].lower() != "unknown":
            extra[key] = fields[key]
    return EcgMeta(sex=sex_code, age_years=age, recorded_at=recorded, extra=extra)


#: frames read per call: bounded temporaries however long the record (a 24-h Holter is ~31 M)
CHUNK_FRAMES = 1 << 20


def _signal_files(path: Path, hea: Path, spec: WfdbHeader) -> dict[str, list[int]]:
    """Signal file name -> indices of its signals; every file checked (exists, regular, size)."""
    per_file: dict[str, list[int]] = {}
    for i, sig in enumerate(spec.signals):
        per_file.setdefault(sig.file_name, []).append(i)
    for name, idx in per_file.items():
        fmts = {spec.signals[i].fmt for i in idx}
        if len(fmts) != 1:
            raise CorruptFileError(
                path, expected=Bilingual(f"信号ファイルごとに 1 つの格納形式（{name}）",
                                         f"one storage format per signal file ({name})"),
                found=Bilingual(f"格納形式 {sorted(fmts)}", f"formats {sorted(fmts)}"), format="WFDB")
        check_file(hea.parent / name, MAX_FILE_BYTES, record=path)
    return per_file


def _frames_in_files(path: Path, hea: Path, spec: WfdbHeader, per_file: dict[str, list[int]]) -> int:
    """The number of samples per signal: the header's, checked against every file's size, or
    (when the header states none) what the smallest file holds."""
    have: list[int] = []
    for name, idx in per_file.items():
        first = spec.signals[idx[0]]
        bytes_per_frame = BYTES_PER_SAMPLE[first.fmt] * sum(spec.signals[i].samples_per_frame for i in idx)
        size = (hea.parent / name).stat().st_size
        frames = int(max(size - first.byte_offset, 0) // bytes_per_frame)
        if spec.n_samples is not None and frames < spec.n_samples:
            raise InvalidSignalError(
                path, expected=Bilingual(f"チャネルあたり {spec.n_samples} サンプル（ヘッダー）",
                                         f"{spec.n_samples} samples per channel (header)"),
                found=Bilingual(f"{name} に {frames} サンプル", f"{frames} samples in {name}"),
                format="WFDB")
        have.append(frames)
    n = spec.n_samples if spec.n_samples is not None else min(have)
    if n <= 0:
        raise NoWaveformError(path, expected=Bilingual("信号ファイル内のサンプル",
                                                       "samples in the signal files"),
                              found=Bilingual("0 サンプル", "0 samples"), format="WFDB")
    return n


def _cross_check(path: Path, spec: WfdbHeader, header: Any) -> None:
    """The values ``wfdb`` will use must be the ones parsed here (it substitutes defaults)."""
    def same(a: float, b: float) -> bool:
        return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)))

    if header.fs is None or not same(header.fs, spec.fs_hz):
        raise HeaderValueError(
            path, field=Bilingual("サンプリング周波数", "sampling frequency"), value=f"{spec.fs_hz:g}",
            expected=Bilingual("WFDB ライブラリでも同じ値として読まれるサンプリング周波数"
                               f"（ライブラリの読み取り値: {header.fs}）",
                               f"a rate the WFDB library reads the same way (it reads {header.fs})"),
            format="WFDB")
    for i, sig in enumerate(spec.signals):
        gain = header.adc_gain[i] if header.adc_gain else None
        base = header.baseline[i] if header.baseline else None
        if gain is None or not same(gain, sig.gain) or base is None or int(base) != sig.baseline:
            raise HeaderValueError(
                path, field=Bilingual(f"信号 {i + 1} の ADC ゲイン／ベースライン",
                                      f"signal {i + 1} ADC gain/baseline"),
                value=f"{sig.gain:g}({sig.baseline})",
                expected=Bilingual(
                    f"WFDB ライブラリでも同じ値として読まれる値（ライブラリの読み取り値: {gain}({base})）",
                    f"values the WFDB library reads the same way (it reads {gain}({base}))"),
                format="WFDB")


@contextmanager
def _wfdb_record(hea: Path, spec: WfdbHeader, per_file: dict[str, list[int]]) -> Iterator[str]:
    """The record name to give ``wfdb``: the header's own, or, when its record line names the
    signal file (``E00015.mat 12 500 ...``, which ``wfdb`` cannot parse), a temporary folder
    holding the header with the name normalised and links to the original signal files (a
    read-only copy where links are not allowed). Nothing is written beside the source."""
    if not spec.name_normalised:
        yield str(hea.with_suffix(""))
        return
    with tempfile.TemporaryDirectory(prefix="ecg_viewer_wfdb_") as tmp:
        folder = Path(tmp)
        (folder / f"{spec.record_name}.hea").write_text(normalised_header_text(hea, spec),
                                                      encoding="latin-1")
        for name in per_file:
            src = (hea.parent / name).resolve()
            try:
                os.symlink(src, folder / name)
            except OSError:  # e.g. Windows without the symlink privilege
                shutil.copyfile(src, folder / name)
        yield str(folder / spec.record_name)


def read_wfdb(path: Path, options: dict[str, Any]) -> RawEcg:
    hea = _header_path(path)
    spec = read_header(hea)  # bounded read; every number validated, nothing assumed
    per_file = _signal_files(path, hea, spec)
    n = _frames_in_files(path, hea, spec, per_file)
    check_total_values(len(spec.signals) * n, file=path, format="WFDB")
    # the common layout, read here: what wfdb reads for it (a header whose numbers or date are
    # written otherwise goes through wfdb, and a value it reads differently is refused)
    direct = _read_plain_16(hea, spec, n) if spec.plain_numbers and not spec.base_unread else None
    if direct is not None:
        header: Any = spec
        digital = np.ascontiguousarray(direct.T)
    else:
        with _wfdb_record(hea, spec, per_file) as record_name:
            header, digital = _read_digital(path, record_name, spec, n)
    files = [hea] + [hea.parent / name for name in per_file]
    channels = [
        Channel(name=sig.description or f"signal {i + 1}", samples=digital[i], unit=sig.units,
                gain=sig.gain, baseline=float(sig.baseline), invalid=INVALID_SAMPLE.get(sig.fmt))
        for i, sig in enumerate(spec.signals)
    ]
    return RawEcg(channels=channels, fs_hz=spec.fs_hz, meta=_meta(header), source_files=files)


def _read_digital(path: Path, record_name: str, spec: WfdbHeader, n: int) -> tuple[Any, np.ndarray]:
    """Every other layout, through ``wfdb`` (its header cross-checked with ours first)."""
    import wfdb

    try:
        header = wfdb.rdheader(record_name)
    except Exception as exc:
        en = f"{type(exc).__name__}: {exc}"
        raise CorruptFileError(path, expected=Bilingual("有効な WFDB ヘッダー", "a valid WFDB header"),
                               found=library_said("読み込みエラー", en),
                               format="WFDB") from exc
    _cross_check(path, spec, header)
    wide = any(sig.fmt in (24, 32) for sig in spec.signals)
    digital = np.empty((len(spec.signals), n), dtype=np.int32 if wide else np.int16)
    for a in range(0, n, CHUNK_FRAMES):
        b = min(n, a + CHUNK_FRAMES)
        try:
            rec = wfdb.rdrecord(record_name, sampfrom=a, sampto=b, physical=False,
                                return_res=32 if wide else 16)
        except Exception as exc:
            en = f"{type(exc).__name__}: {exc}"[:300]
            raise CorruptFileError(path, expected=Bilingual("ヘッダーと一致する信号ファイル",
                                                            "signal files matching the header"),
                                   found=library_said("読み込みエラー", en), format="WFDB") from exc
        d = rec.d_signal
        if d is None or d.shape != (b - a, len(spec.signals)):
            shape = None if d is None else d.shape
            raise InvalidSignalError(
                path, expected=Bilingual(f"{b - a} サンプル × {len(spec.signals)} 信号",
                                         f"{b - a} samples x {len(spec.signals)} signals"),
                found=Bilingual(f"データの形状 {shape}", f"{shape} in the data"), format="WFDB")
        digital[:, a:b] = d.T
        del rec, d
    return header, digital


def _read_plain_16(hea: Path, spec: WfdbHeader, n: int) -> np.ndarray | None:
    """The samples [frames, signals] (int16) of a record in the common layout: every signal in
    format 16 (little-endian 16-bit) in one file, one sample per frame, no skew, at most
    ``CHUNK_FRAMES`` frames; what ``wfdb.rdrecord(physical=False, return_res=16)`` returns for
    it (a test compares them), read straight from the file by the header parsed here, without
    importing ``wfdb`` (and pandas: 0.3 s of CPU in each process) or its second parse of the
    header (1.3 ms per file). None for every other layout (then ``wfdb`` reads it)."""
    sigs = spec.signals
    offset = sigs[0].byte_offset
    if (len({s.file_name for s in sigs}) != 1 or n > CHUNK_FRAMES
            or any(s.fmt != 16 or s.samples_per_frame != 1 or s.skew != 0 or s.byte_offset != offset
                   for s in sigs)):
        return None
    k = len(sigs)
    with open(hea.parent / sigs[0].file_name, "rb") as fh:
        fh.seek(offset)
        raw = fh.read(2 * k * n)
    if len(raw) != 2 * k * n:
        return None
    return np.frombuffer(raw, dtype="<i2").reshape(n, k).astype(np.int16)


register(ReaderSpec(
    name="wfdb",
    label="WFDB (.hea + .dat/.mat)",
    extensions=(".hea", ".dat", ".mat"),
    read=read_wfdb,
    sniff=_sniff,
    sniff_by_name=True,
))
