"""CSV / TSV: a header row of lead names, one row per sample.

The sampling rate comes from, in order: a rate column (``fs_hz``, ``fs``, ``sampling_rate``,
constant), a time column (``time_s``, ``time_ms``, ``time``, ``t``), or the ``fs_hz`` option (the
rate the user gives, ``--fs-hz``, for a CSV that states none); otherwise the reader asks for it. Units: ``mV`` unless a header says otherwise (``V1 (uV)``, ``I [mV]``) or
the ``unit`` option is given.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import logging
import re
from pathlib import Path
from typing import Any

import numpy as np

from ecg_viewer.core.errors import (
    CorruptFileError,
    HeaderValueError,
    InvalidSignalError,
    NoWaveformError,
    SamplingRateRequiredError,
)
from ecg_viewer.core.leads import canonical_lead_name
from ecg_viewer.core.messages import Bilingual
from ecg_viewer.core.record import EcgMeta
from ecg_viewer.io.builder import Channel, RawEcg, unit_factor_to_mv
from ecg_viewer.io.registry import ReaderSpec, register
from ecg_viewer.io.validate import check_rate, check_total_values

log = logging.getLogger(__name__)

_RATE_COLUMNS = ("fs_hz", "fs", "sampling_rate", "sampling_rate_hz", "samplerate", "sample_rate")
_TIME_COLUMNS = {"time_s": 1.0, "time_ms": 1e-3, "time": 1.0, "t": 1.0, "t_s": 1.0, "t_ms": 1e-3,
                 "seconds": 1.0, "ms": 1e-3}  # fmt: skip
_UNIT_IN_NAME = re.compile(r"^(.*?)\s*[\[(]\s*([^\])]+?)\s*[\])]\s*$")


def _split_name_unit(name: str, default_unit: str) -> tuple[str, str]:
    m = _UNIT_IN_NAME.match(name)
    if m and unit_factor_to_mv(m.group(2)) is not None:
        return m.group(1).strip(), m.group(2)
    return name.strip(), default_unit


#: rows parsed per step (bounded temporaries, however long the file)
BLOCK_ROWS = 1 << 16
_PREFIX_BYTES = 1 << 16


class _TimeSteps:
    """What the rate of a file with a time column needs, gathered block by block (bounded
    memory): first and last time, row count, smallest and largest step, and how far each block
    strays from a straight line (its own, and the line through the whole file's ends).

    The rate is ``(n - 1) / (t_last - t_first)``: a time column rounded to 1 ms at 360 Hz steps
    2 or 3 ms (the median step, 3 ms, gave 333 Hz). Rounding moves each time by at most half a
    quantum, so no time strays from the line by more than one quantum, which is at least the
    spread of the steps (largest - smallest); more than that means the rate changes or samples
    are missing: the time column is irregular and the file is refused."""

    def __init__(self) -> None:
        self.n = 0
        self.first = self.last = float("nan")
        self.lo, self.hi = float("inf"), float("-inf")
        self.finite = True
        self.block_dev = 0.0
        self.marks: list[tuple[int, float]] = []  # (row, time) at each block's ends

    def add(self, t: np.ndarray) -> None:
        if t.size == 0:
            return
        if not np.isfinite(t).all():
            self.finite = False
            return
        ext = t if self.n == 0 else np.concatenate([[self.last], t])
        k0 = self.n - (0 if self.n == 0 else 1)
        if ext.size > 1:
            steps = np.diff(ext)
            self.lo, self.hi = min(self.lo, float(steps.min())), max(self.hi, float(steps.max()))
            line = np.linspace(ext[0], ext[-1], ext.size)
            self.block_dev = max(self.block_dev, float(np.abs(ext - line).max()))
        if self.n == 0:
            self.first = float(t[0])
        self.marks += [(k0, float(ext[0])), (k0 + ext.size - 1, float(ext[-1]))]
        self.n += t.size
        self.last = float(t[-1])

    def step(self) -> tuple[float, bool]:
        """(the mean step over the whole span, whether the steps are even up to rounding)."""
        dt = (self.last - self.first) / (self.n - 1)
        spread = self.hi - self.lo
        tol = 1.01 * spread + 1e-9 * max(abs(self.first), abs(self.last), dt)
        dev = max((abs(t - (self.first + k * dt)) for k, t in self.marks), default=0.0)
        even = spread <= dt and max(dev, self.block_dev) <= tol
        return dt, even


def _encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) or Shift_JIS, decided on a bounded prefix of the file."""
    with open(path, "rb") as fh:
        prefix = fh.read(_PREFIX_BYTES)
    for enc in ("utf-8-sig", "cp932"):
        try:
            codecs.getincrementaldecoder(enc)().decode(prefix, final=False)
            return enc
        except UnicodeDecodeError:
            continue
    raise CorruptFileError(path, expected=Bilingual("テキストの CSV（UTF-8 または Shift_JIS）",
                                                    "a text CSV (UTF-8 or Shift_JIS)"),
                           found=Bilingual("バイナリデータ", "binary data"), format="CSV")


_HEADER_AND_ROWS = Bilingual("ヘッダー行とサンプルの行", "a header row and sample rows")


def _data_lines(fh: Any) -> Any:
    """(line number in the file, text) of each line that is not blank or a # comment."""
    for number, ln in enumerate(fh, start=1):
        if ln.strip() and not ln.lstrip().startswith("#"):
            yield number, ln.rstrip("\r\n")


def _drop_trailing(text: str, delim: str) -> str:
    """``text`` without the one empty field a trailing delimiter makes (``0.1,0.2,``)."""
    body = text.rstrip(" ") if delim != " " else text
    return body[:-1] if body.endswith(delim) else text


_CUT_SHORT = Bilingual("途中で切れた最後の行（ファイルが途中で終わっています）",
                       "a last row cut short (the file ends early)")


def _first_bad_row(numbered: list[tuple[int, str]], delim: str, n_columns: int,
                   at_end: bool = False) -> tuple[int, Bilingual]:
    """The file line number of the first row that is not ``n_columns`` numbers, and what is
    wrong with it (for the message; numpy's own text is programming advice). ``at_end``: the
    rows are the file's last; its last row with too few cells or an empty one is a file cut
    short, said so (QA 70: 「1604 行目に 数値でない値「」」 for a CSV cut after a comma)."""
    for number, text in numbered:
        cells = text.split(delim)
        last = at_end and number == numbered[-1][0]
        if last and (len(cells) < n_columns or not cells[-1].strip()):
            return number, _CUT_SHORT
        if len(cells) != n_columns:
            return number, Bilingual(f"{len(cells)} 列", f"{len(cells)} columns")
        for cell in cells:
            try:
                float(cell)
            except ValueError:
                shown = cell.strip()[:20]
                return number, Bilingual(f"数値でない値「{shown}」", f"a value that is not a "
                                         f"number: '{shown}'")
    return numbered[0][0], Bilingual("読み取れない行", "an unreadable row")


def read_csv(path: Path, options: dict[str, Any]) -> RawEcg:
    enc = _encoding(path)
    try:
        with open(path, encoding=enc, newline="") as fh:
            return _read(path, _data_lines(fh), options)
    except UnicodeDecodeError as exc:
        raise CorruptFileError(path, expected=Bilingual(f"単一の文字コード（{enc}）のテキスト",
                                                        f"text in one encoding ({enc})"),
                               found=Bilingual(f"位置 {exc.start} に復号できないバイト",
                                               f"undecodable bytes at {exc.start}"),
                               format="CSV") from exc


def _read(path: Path, lines: Any, options: dict[str, Any]) -> RawEcg:
    first_numbered = next(lines, None)
    if first_numbered is None:
        raise NoWaveformError(path, expected=_HEADER_AND_ROWS,
                              found=Bilingual("ヘッダー行なし", "no header row"), format="CSV")
    first = first_numbered[1]
    try:
        delim = csv.Sniffer().sniff(first, delimiters=",;\t").delimiter
    except csv.Error:
        delim = ","
    header = [h.strip() for h in next(csv.reader(io.StringIO(first), delimiter=delim))]
    if len(header) > 1 and not header[-1]:  # Excel: every row ends with a delimiter
        header = header[:-1]
        lines = ((number, _drop_trailing(text, delim)) for number, text in lines)
    lower = [h.lower() for h in header]
    rate_cols = [lower.index(c) for c in _RATE_COLUMNS if c in lower]
    time_cols = [(lower.index(c), scale) for c, scale in _TIME_COLUMNS.items() if c in lower]
    used = set(rate_cols) | {i for i, _ in time_cols}
    signal_cols = [i for i in range(len(header)) if i not in used]

    blocks: list[np.ndarray] = []
    rate_seen: list[float] = []
    times = _TimeSteps() if time_cols else None
    rows = 0
    while True:
        numbered = list(itertools.islice(lines, BLOCK_ROWS))
        if not numbered:
            break
        chunk = [text for _, text in numbered]
        try:
            data = np.loadtxt(io.StringIO("\n".join(chunk)), delimiter=delim, dtype=np.float64, ndmin=2)
        except ValueError as exc:
            at_end = len(numbered) < BLOCK_ROWS or next(lines, None) is None
            number, what = _first_bad_row(numbered, delim, len(header), at_end)
            raise CorruptFileError(
                path, expected=Bilingual(f"ヘッダーより下のすべての行に {len(header)} 個の数値",
                                         f"{len(header)} numbers in every row below the header"),
                found=Bilingual(f"{number} 行目に {what.ja}", f"{what.en} on line {number}"),
                format="CSV") from exc
        if data.shape[1] != len(header):
            raise CorruptFileError(path, expected=Bilingual(f"1 行あたり {len(header)} 列（ヘッダー）",
                                                            f"{len(header)} columns per row (header)"),
                                   found=Bilingual(f"{data.shape[1]} 列", f"{data.shape[1]} columns"),
                                   format="CSV")
        rows += data.shape[0]
        check_total_values(rows * max(1, len(signal_cols)), file=path, format="CSV")
        for i in rate_cols:
            col = data[:, i]
            rate_seen += [float(col.min()), float(col.max())] if np.isfinite(col).all() else [float("nan")]
        if times is not None:
            with np.errstate(invalid="ignore", over="ignore"):
                times.add(data[:, time_cols[0][0]] * time_cols[0][1])
        blocks.append(np.ascontiguousarray(data[:, signal_cols], dtype=np.float32)
                      if np.all(np.abs(data[:, signal_cols]) < 3e38) else data[:, signal_cols])
    if rows < 1:
        raise NoWaveformError(path, expected=_HEADER_AND_ROWS,
                              found=Bilingual("空でない行 1 行", "1 non-empty line(s)"), format="CSV")
    fs = _rate(path, options, header, rate_cols, rate_seen, time_cols, times)

    default_unit = str(options.get("unit", "mV"))
    channels = []
    for j, i in enumerate(signal_cols):
        lead, unit = _split_name_unit(header[i], default_unit)
        samples = np.concatenate([b[:, j] for b in blocks]) if len(blocks) > 1 else blocks[0][:, j]
        channels.append(Channel(name=lead or f"ch{i + 1}", samples=samples, unit=unit))
    if not any(canonical_lead_name(c.name) for c in channels):
        raise NoWaveformError(path, expected=Bilingual("心電図の誘導名（I, II, V1 ...）の列",
                                                       "columns named after ECG leads (I, II, V1 ...)"),
                              found=Bilingual(f"列 {header[:8]}", f"columns {header[:8]}"), format="CSV")
    return RawEcg(channels=channels, fs_hz=fs, meta=EcgMeta())


def _rate(path: Path, options: dict[str, Any], header: list[str], rate_cols: list[int],
          rate_seen: list[float], time_cols: list[tuple[int, float]],
          times: _TimeSteps | None) -> float:
    """The sampling rate from, in order: a rate column (one value throughout), a time column
    (its whole span over its rows, when its steps are even up to rounding: see
    :class:`_TimeSteps`), the ``fs_hz`` option (for a file that states no rate: ``batch
    --fs-hz`` gives one rate for a folder, and a file's own rate is never overridden);
    validated, never assumed."""
    given = options.get("fs_hz")
    if given is not None and not rate_cols and not time_cols:
        return check_rate(given, file=path,
                          field=Bilingual("fs_hz オプション", "fs_hz option"), format="CSV")
    if given is not None:
        log.info("%s: the file states its own rate; the fs_hz option (%s) is not used",
                 path.name, given)
    if rate_cols:
        name = header[rate_cols[0]]
        column = Bilingual(f"{name} 列", f"{name} column")
        lo, hi = min(rate_seen), max(rate_seen)
        if not (np.isfinite(lo) and np.isfinite(hi)) or lo != hi:
            shown = (Bilingual("数値でない値／NaN", "non-numeric/NaN values")
                     if not np.isfinite([lo, hi]).all() else f"{lo:g}..{hi:g}")
            raise HeaderValueError(path, field=column, value=shown,
                                   expected=Bilingual("すべての行で同じサンプリング周波数",
                                                      "one sampling rate in every row"),
                                   format="CSV")
        return check_rate(lo, file=path, field=column, format="CSV")
    if time_cols and times is not None:
        name = header[time_cols[0][0]]
        column = Bilingual(f"{name} 列", f"{name} column")
        if times.n < 2 and times.finite:
            raise HeaderValueError(path, field=column, value=Bilingual("1 行のみ", "one row"),
                                   expected=Bilingual("少なくとも 2 つの時刻値",
                                                      "at least two time values"),
                                   format="CSV")
        dt, even = times.step() if times.finite else (float("nan"), False)
        if not (np.isfinite(dt) and dt > 0 and times.lo > 0):
            low = times.lo if times.finite else dt
            raise HeaderValueError(path, field=column, value=Bilingual(f"刻み幅 {low:g}", f"step {low:g}"),
                                   expected=Bilingual("増加していく時刻値", "increasing time values"),
                                   format="CSV")
        if not even:
            scale = time_cols[0][1]
            lo, hi = times.lo / scale, times.hi / scale
            raise InvalidSignalError(
                path, format="CSV",
                expected=Bilingual(f"{name} 列が一定の間隔で増えること（一定のサンプリング周波数。"
                                   "丸めによる刻みの揺れは可）",
                                   f"a {name} column in even steps (one sampling rate; steps "
                                   "that differ only by rounding are accepted)"),
                found=Bilingual(f"不均一な時刻の刻み（{lo:g}〜{hi:g}、途中で周波数が変わるか"
                                "サンプルが欠けている）",
                                f"uneven time steps ({lo:g} to {hi:g}: the rate changes or "
                                "samples are missing)"))
        fs = 1.0 / dt
        # each end is off by at most half a quantum (the step spread): a whole number of Hz
        # within that uncertainty is the rate (9997 ms for 3600 samples at 360 Hz: 360.008)
        if abs(fs - round(fs)) <= fs * (times.hi - times.lo) / (times.last - times.first) + 1e-9 * fs:
            fs = float(round(fs))
        return check_rate(fs, file=path,
                          field=Bilingual(f"{name} 列（1 / 刻み幅）", f"{name} column (1 / step)"),
                          format="CSV")
    raise SamplingRateRequiredError(path, expected=Bilingual("サンプリング周波数（fs_hz 列またはオプション）",
                                                             "a sampling rate (fs_hz column or option)"),
                                    found=Bilingual("サンプリング周波数の列なし、時刻の列なし",
                                                    "no rate column, no time column"),
                                    format="CSV")


register(ReaderSpec(
    name="csv",
    label="CSV/TSV (lead-name header)",
    label_ja="CSV/TSV（誘導名のヘッダー行）",
    extensions=(".csv", ".tsv", ".txt"),
    read=read_csv,
))
