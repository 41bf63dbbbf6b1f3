"""Header numbers are parsed, then validated, before any signal is read; never replaced by a default.

Every reader passes the numbers that decide what a sample means (sampling rate, gain / scale /
resolution, baseline / offset, unit, sample count) through :func:`parse_number` (text from the
file) or :func:`check_number` (a number a library already decoded). A value that does not parse,
is not finite, or lies outside its plausible range raises :class:`HeaderValueError` naming the
field, the file and the value.

Ranges, and why:

- sampling rate 50-20,000 Hz (:data:`RATE_MIN_HZ`, :data:`RATE_MAX_HZ`): below 50 Hz the Nyquist
  frequency (25 Hz) lies inside the QRS spectrum, a QRS is one or two samples wide and the trace
  on ECG paper would misrepresent it, so such a file is refused, not shown (no clinical ECG
  format writes below 50 Hz; the lowest in the samples are PTB-XL 100 Hz and MFER 125 Hz). Above
  20 kHz no ECG device records. The same range gates the analysis (signal/quality.py) for
  records built in code.
- amplitude within ±50 mV after scaling (:data:`AMPLITUDE_MAX_MV`): the largest real QRS is a few
  mV (17 mV is the most in the sample files); beyond 50 mV the gain, scale or unit is wrong.
- files a library decodes in one piece (MFER, DICOM, SCP-ECG) at most
  :data:`MAX_LIBRARY_FILE_BYTES`, ECG XML at most 32 MB, EDF at most 40 M samples.
- at most :data:`MAX_SIGNAL_VALUES` samples in all (leads x samples, float32: 400 MB), checked
  from the header before reading, so that the window and ``analyze`` stay within ~1 GB with the
  model: a 24-hour 2-lead Holter at 500 Hz (86 M) fits, a 24-hour 12-lead one does not.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np

from ecg_viewer.core.errors import (
    FileTooLargeError,
    HeaderValueError,
    ImplausibleAmplitudeError,
    TooManySamplesError,
)
from ecg_viewer.core.messages import Bilingual, Localized
from ecg_viewer.core.record import AMPLITUDE_MAX_MV, RATE_MAX_HZ, RATE_MIN_HZ

MAX_SIGNAL_VALUES = 100_000_000
#: a header file (WFDB .hea) larger than this is not a header
MAX_HEADER_BYTES = 1 << 20
#: files decoded by ``ecgdatakit`` in one piece (MFER, DICOM, SCP-ECG) as float64, then copied:
#: about 10 bytes of memory per byte of file, so this keeps them within the ~1 GB budget
#: (a 24-h 2-lead MFER Holter at 125 Hz is ~43 MB)
MAX_LIBRARY_FILE_BYTES = 64 << 20


def check_library_file_size(path: Path, *, format: str | Localized, limit: int = MAX_LIBRARY_FILE_BYTES) -> None:
    size = path.stat().st_size
    if size > limit:
        raise FileTooLargeError(path, size_bytes=size, limit_bytes=limit)

# a plain decimal number, optionally signed, optionally with an exponent; no nan/inf/hex/blanks
_DECIMAL = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
_INTEGER = re.compile(r"^[+-]?\d+$")


def parse_number(text: object, *, file: str | Path, field: str | Localized, format: str | Localized,
                 lo: float = -math.inf, hi: float = math.inf, integer: bool = False,
                 lo_open: bool = False, expected: str | Localized | None = None) -> float:
    """``text`` as a finite number in ``[lo, hi]`` (``(lo, hi]`` with ``lo_open``), else
    :class:`HeaderValueError`. ``integer`` demands digits only."""
    s = "" if text is None else str(text).strip()
    pattern = _INTEGER if integer else _DECIMAL
    want = expected or _range_text(lo, hi, integer, lo_open)
    if not pattern.match(s):
        raise HeaderValueError(file, field=field, value=s, expected=want, format=format)
    value = float(int(s)) if integer else float(s)
    return check_number(value, file=file, field=field, format=format, lo=lo, hi=hi,
                        lo_open=lo_open, expected=want, shown=s)


def check_number(value: object, *, file: str | Path, field: str | Localized, format: str | Localized,
                 lo: float = -math.inf, hi: float = math.inf, lo_open: bool = False,
                 expected: str | Localized | None = None, shown: str | None = None) -> float:
    """A number already decoded (by a library, or by :func:`parse_number`), checked the same way."""
    want = expected or _range_text(lo, hi, False, lo_open)
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        raise HeaderValueError(file, field=field, value=value, expected=want, format=format) from None
    ok = math.isfinite(v) and (v > lo if lo_open else v >= lo) and v <= hi
    if not ok:
        raise HeaderValueError(file, field=field, value=shown if shown is not None else value,
                               expected=want, format=format)
    return v


#: texts several readers give (what was found or expected), in both languages
NONE_GIVEN = Bilingual("（なし）", "(none)")
NONE_DECODED = Bilingual("復号できたものなし", "none decoded")
POSITIVE_RATE = Bilingual("0 より大きいサンプリング周波数", "a sampling rate > 0")

_RATE_TEXT = Bilingual(f"{RATE_MIN_HZ:g}-{RATE_MAX_HZ:g} Hz のサンプリング周波数",
                       f"a sampling rate of {RATE_MIN_HZ:g}-{RATE_MAX_HZ:g} Hz")


def check_rate(value: object, *, file: str | Path, field: str | Localized, format: str | Localized) -> float:
    """A sampling rate in Hz within 50-20,000 Hz."""
    return check_number(value, file=file, field=field, format=format, lo=RATE_MIN_HZ,
                        hi=RATE_MAX_HZ, expected=_RATE_TEXT)


def parse_rate(text: object, *, file: str | Path, field: str | Localized, format: str | Localized) -> float:
    return parse_number(text, file=file, field=field, format=format, lo=RATE_MIN_HZ,
                        hi=RATE_MAX_HZ, expected=_RATE_TEXT)


def check_positive(value: object, *, file: str | Path, field: str | Localized, format: str | Localized,
                   hi: float = 1e12) -> float:
    """A gain / scale / resolution: finite and > 0 (0 means "uncalibrated", never a default)."""
    return check_number(value, file=file, field=field, format=format, lo=0.0, hi=hi,
                        lo_open=True, expected=Bilingual("0 より大きい有限の数値", "a finite number > 0"))


def check_total_values(n_values: int, *, file: str | Path, format: str | Localized,
                       limit: int = MAX_SIGNAL_VALUES) -> None:
    if n_values > limit:
        raise TooManySamplesError(file, n_values=int(n_values), limit_values=limit, format=format)


def check_amplitude(block_mv: np.ndarray, *, file: str | Path, lead: str, format: str | Localized) -> None:
    """Refuse a block of samples (mV) that holds values beyond ±50 mV (NaN/inf handled apart)."""
    if block_mv.size == 0:
        return
    peak = float(np.max(np.abs(block_mv)))
    if peak > AMPLITUDE_MAX_MV:
        raise ImplausibleAmplitudeError(file, lead=lead, peak_mv=peak, limit_mv=AMPLITUDE_MAX_MV,
                                        format=format)


def _range_text(lo: float, hi: float, integer: bool, lo_open: bool) -> Bilingual:
    kind = "an integer" if integer else "a finite number"
    kind_ja = "整数" if integer else "有限の数値"
    if math.isinf(lo) and math.isinf(hi):
        return Bilingual(kind_ja, kind)
    if math.isinf(hi):
        return Bilingual(f"{lo:g} {'より大きい' if lo_open else '以上の'}{kind_ja}",
                         f"{kind} {'>' if lo_open else '>='} {lo:g}")
    if math.isinf(lo):
        return Bilingual(f"{hi:g} 以下の{kind_ja}", f"{kind} <= {hi:g}")
    interval = f"{'(' if lo_open else '['}{lo:g}, {hi:g}]"
    return Bilingual(f"{interval} の範囲の{kind_ja}", f"{kind} in {interval}")
