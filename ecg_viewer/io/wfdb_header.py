"""A strict reading of a WFDB ``.hea`` header (PhysioNet header(5)), done before ``wfdb`` sees it.

``wfdb.rdheader`` replaces what its patterns do not match by the format's defaults: a rate of
``nan``, ``-500``, ``inf``, ``x`` or ``+5`` becomes 250 Hz, ``1e3`` becomes 1 Hz, a gain of 0
("uncalibrated") becomes 200 adu/mV. Here every number the samples depend on is parsed from the
text and validated (:mod:`ecg_viewer.io.validate`); what is missing or wrong is refused with the
field named, and the reader then checks that ``wfdb`` read the same values.

A record name carrying its signal file's extension (``E00015.mat 12 500 ...`` in E00015.hea,
as written by a converter of the PhysioNet/CinC 2020 Georgia set) is accepted in exactly that
case, the header's own stem plus ``.mat``/``.dat``; ``record_name`` is then the stem and
:func:`normalised_header_text` gives the header as WFDB expects it. Any other dotted name is refused.

Record line: ``name[/nseg] nsig [fs[/counterfreq[(base)]] [nsamp [time [date]]]]``.
Signal line: ``file format[xspf][:skew][+offset] [gain[(baseline)][/units] [adcres [adczero
[initval [checksum [blocksize [description]]]]]]]``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ecg_viewer.core.errors import CorruptFileError, FileTooLargeError, HeaderValueError
from ecg_viewer.core.messages import Bilingual, Localized
from ecg_viewer.io.validate import MAX_HEADER_BYTES, NONE_GIVEN, parse_number, parse_rate

LABEL = "WFDB"
_N_SIGNALS = Bilingual("信号数", "number of signals")
_RATE_FIELD = Bilingual("サンプリング周波数", "sampling frequency")
_RECORD_LINE = Bilingual("WFDB のレコード行", "a WFDB record line")
_TEXT_HEADER = Bilingual("テキスト形式の WFDB ヘッダー", "a text WFDB header")
MAX_SIGNALS = 256
MAX_GAIN = 1e9
# bytes per sample of the storage formats read here (FLAC 508/516/524 and others are refused:
# their decoded size cannot be checked before decoding)
BYTES_PER_SAMPLE = {8: 1.0, 16: 2.0, 61: 2.0, 80: 1.0, 160: 2.0, 24: 3.0, 32: 4.0, 212: 1.5,
                    310: 4 / 3, 311: 4 / 3}  # fmt: skip
# the sample value WFDB writes for "no sample" in each format
INVALID_SAMPLE = {8: -128, 16: -32768, 61: -32768, 80: -128, 160: -32768, 24: -(1 << 23),
                  32: -(1 << 31), 212: -2048, 310: -512, 311: -512}  # fmt: skip
_FORMAT = re.compile(r"^(\d+)(?:x(\d+))?(?::(-?\d+))?(?:\+(\d+))?$")
_GAIN = re.compile(r"^([^(/]*)(?:\(([^)]*)\))?(?:/(.*))?$")
_PRINTABLE = re.compile(r"^[\x20-\x7e\t]*$")
# a number as WFDB writes it (``500``, ``1000.5``, ``-12``); other spellings that parse here
# (``1e3``) can be read otherwise by other WFDB software
_PLAIN_DECIMAL = re.compile(r"^(?:\d+(?:\.\d*)?|\.\d+)$")
_PLAIN_INTEGER = re.compile(r"^[+-]?\d+$")
# the extensions a record name may carry (the name of its signal file); see the module docstring
_NAME_EXTS = (".mat", ".dat")


@dataclass(frozen=True)
class SignalSpec:
    file_name: str
    fmt: int
    samples_per_frame: int
    byte_offset: int
    skew: int  # samples; 0 for almost every record
    gain: float  # adu per physical unit, > 0
    baseline: int  # adu of 0 physical units
    units: str
    description: str
    # gain, baseline and ADC zero written as plain decimals (as WFDB writes them)
    plain_numbers: bool = False


@dataclass(frozen=True)
class WfdbHeader:
    record_name: str  # normalised: the stem when the record line names the signal file
    fs_hz: float
    n_samples: int | None  # None: not stated (then from the signal files' size)
    signals: tuple[SignalSpec, ...]
    stated_name: str = ""  # the name as the record line writes it ("" : same as record_name)
    # the comment lines as ``wfdb.rdheader`` gives them (stripped of blanks and '#')
    comments: tuple[str, ...] = ()
    base_time: dt.time | None = None
    base_date: dt.date | None = None
    # a base time or date is written but not in a form read here (``wfdb`` is then asked)
    base_unread: bool = False
    plain_rate: bool = False  # the rate written as a plain decimal
    bom: bool = False  # the file begins with a UTF-8 byte-order mark (Notepad), skipped here

    @property
    def plain_numbers(self) -> bool:
        """The rate and every gain, baseline and ADC zero are written as plain decimals: numbers
        every WFDB reader reads the same way (``1e3`` is 1 Hz to some)."""
        return self.plain_rate and all(s.plain_numbers for s in self.signals)

    @property
    def name_normalised(self) -> bool:
        """Whether ``wfdb`` needs a normalised copy of the header (the record name changed, or
        the byte-order mark it cannot read left out)."""
        return self.bom or (bool(self.stated_name) and self.stated_name != self.record_name)


def read_header(hea: Path) -> WfdbHeader:
    """Parse and validate ``hea``; at most :data:`MAX_HEADER_BYTES` are read."""
    text = _read_text(hea, keep_bom=True)
    body = text.removeprefix(_BOM_TEXT)
    try:  # UTF-8 (a signal named Ⅰ or Ｖ１ by Japanese software); else a character a byte
        body, utf8 = body.encode("latin-1").decode("utf-8"), True
    except UnicodeDecodeError:
        utf8 = False
    stripped = [ln.strip() for ln in body.splitlines()]
    lines = [_text_line(hea, k, ln, utf8) for k, ln in
             enumerate(ln for ln in stripped if ln and not ln.startswith("#"))]
    comments = tuple(ln.strip(" \t#") for ln in stripped if ln.startswith("#"))
    if not lines:
        raise CorruptFileError(hea, expected=_RECORD_LINE,
                               found=Bilingual("レコード行なし", "no record line"), format=LABEL)
    spec = _parse(hea, lines, comments)
    return replace(spec, bom=True) if text.startswith(_BOM_TEXT) else spec


def _text_line(hea: Path, k: int, line: str, utf8: bool) -> str:
    """A record or signal line as text: ASCII, or printable UTF-8 where the header is UTF-8;
    control bytes and other non-ASCII characters are refused, named."""
    if _PRINTABLE.match(line) or utf8 and all(ch.isprintable() or ch == "\t" for ch in line):
        return line
    if any(ch < " " and ch != "\t" or ch == "\x7f" for ch in line) or utf8:
        found = Bilingual("テキストでないバイト列（制御文字）", "non-text bytes (control characters)")
    elif k == 0:
        found = Bilingual("レコード行に UTF-8 として読めない ASCII 以外の文字",
                          "non-ASCII character in the record line (not UTF-8)")
    else:
        found = Bilingual(f"信号行 {k} に UTF-8 として読めない ASCII 以外の文字",
                          f"non-ASCII character in a signal line ({k}; not UTF-8)")
    raise CorruptFileError(hea, expected=_TEXT_HEADER, found=found, format=LABEL)


def normalised_header_text(hea: Path, spec: WfdbHeader) -> str:
    """The text of ``hea`` with the record line's name replaced by ``spec.record_name`` (the
    only change); for a header whose record name carries its signal file's extension."""
    out: list[str] = []
    done = False
    for ln in _read_text(hea).splitlines(keepends=True):
        s = ln.strip()
        if not done and s and not s.startswith("#"):
            head, sep, rest = ln.partition(spec.stated_name or spec.record_name)
            if head.strip() or not sep:
                raise CorruptFileError(hea, expected=_RECORD_LINE,
                                       found=s[:40], format=LABEL)
            ln, done = head + spec.record_name + rest, True
        out.append(ln)
    return "".join(out)


_BOM = b"\xef\xbb\xbf"
_BOM_TEXT = _BOM.decode("latin-1")


def _read_text(hea: Path, keep_bom: bool = False) -> str:
    """The header as text (Latin-1: one character a byte), a UTF-8 byte-order mark left out
    unless ``keep_bom`` (the CSV and XML readers accept one too)."""
    with open(hea, "rb") as fh:
        raw = fh.read(MAX_HEADER_BYTES + 1)
    if len(raw) > MAX_HEADER_BYTES:
        raise FileTooLargeError(hea, size_bytes=hea.stat().st_size, limit_bytes=MAX_HEADER_BYTES)
    if b"\x00" in raw:
        raise CorruptFileError(hea, expected=_TEXT_HEADER,
                               found=Bilingual("バイナリデータ（NUL バイト）", "binary data (NUL bytes)"),
                               format=LABEL)
    text = raw.decode("latin-1")
    return text if keep_bom else text.removeprefix(_BOM_TEXT)


def _base_time_date(rec: list[str]) -> tuple[dt.time | None, dt.date | None, bool]:
    """The record line's base time and date as ``wfdb`` reads them (``[HH:[MM:]]SS[.ffffff]``,
    ``DD/MM/YYYY``); ``unread`` when one is written in another form (not guessed here)."""
    time_text = rec[4] if len(rec) > 4 else ""
    date_text = rec[5] if len(rec) > 5 else ""
    try:
        base_time = None
        if time_text:
            fmt = ("%S", "%M:%S", "%H:%M:%S")[time_text.count(":")]
            base_time = dt.datetime.strptime(time_text, fmt + (".%f" if "." in time_text else "")).time()
        base_date = dt.datetime.strptime(date_text, "%d/%m/%Y").date() if date_text else None
    except (ValueError, IndexError):
        return None, None, True
    return base_time, base_date, len(rec) > 6


def _parse(hea: Path, lines: list[str], comments: tuple[str, ...] = ()) -> WfdbHeader:
    rec = lines[0].split()
    name = rec[0]
    if "/" in name:
        raise CorruptFileError(hea, expected=Bilingual("単一セグメントの WFDB レコード",
                                                       "a single-segment WFDB record"),
                               found=Bilingual(f"マルチセグメントのレコード（{name}）",
                                               f"a multi-segment record ({name})"), format=LABEL)
    stated = name
    if "." in name:
        # only the record's own signal file name (stem + extension) is read as the record name
        if name not in (hea.stem + ext for ext in _NAME_EXTS):
            raise HeaderValueError(hea, field=Bilingual("レコード名", "record name"), value=name[:40],
                                   expected=Bilingual(f"このレコードの名前（{hea.stem}）",
                                                      f"the record's name ({hea.stem})"),
                                   format=LABEL)
        name = hea.stem
    if len(rec) < 2:
        raise HeaderValueError(hea, field=_N_SIGNALS, value="",
                               expected=Bilingual("整数", "an integer"), format=LABEL)
    nsig = int(_num(hea, rec[1], _N_SIGNALS, lo=1, hi=MAX_SIGNALS,
                    integer=True))
    if len(rec) < 3:
        # WFDB would assume 250 Hz; a rate is never assumed here
        raise HeaderValueError(hea, field=_RATE_FIELD,
                               value=NONE_GIVEN,
                               expected=Bilingual("レコード行のサンプリング周波数",
                                                  "a sampling rate in the record line"),
                               format=LABEL)
    fs_text = rec[2].split("/", 1)
    fs = parse_rate(fs_text[0], file=hea,
                    field=_RATE_FIELD, format=LABEL)
    if len(fs_text) > 1:
        counter = fs_text[1].split("(", 1)[0]
        _num(hea, counter, Bilingual("カウンター周波数", "counter frequency"), lo=0.0, lo_open=True)
    n_samples: int | None = None
    if len(rec) > 3:
        n = int(_num(hea, rec[3], Bilingual("信号あたりのサンプル数", "number of samples per signal"),
                     lo=0, hi=2**40, integer=True))
        n_samples = n or None  # 0: not stated (WFDB header(5)); counted from the file size
    sig_lines = lines[1:]
    if len(sig_lines) != nsig:
        raise HeaderValueError(hea, field=_N_SIGNALS, value=str(nsig),
                               expected=Bilingual(
                                   f"記載された数と同数の信号行（実際は {len(sig_lines)} 行）",
                                   f"as many signal lines as stated (found {len(sig_lines)})"),
                               format=LABEL)
    base_time, base_date, unread = _base_time_date(rec)
    return WfdbHeader(record_name=name, fs_hz=fs, n_samples=n_samples,
                      signals=tuple(_signal(hea, i + 1, ln) for i, ln in enumerate(sig_lines)),
                      stated_name=stated, comments=comments, base_time=base_time,
                      base_date=base_date, base_unread=unread,
                      plain_rate=bool(_PLAIN_DECIMAL.match(fs_text[0])))


def _num(hea: Path, text: str | None, field: str | Localized, **kw: Any) -> float:
    return parse_number(text, file=hea, field=field, format=LABEL, **kw)


def _signal(hea: Path, k: int, line: str) -> SignalSpec:
    parts = line.split(maxsplit=8)
    if len(parts) < 2:
        raise HeaderValueError(hea, field=Bilingual(f"信号 {k} の形式", f"signal {k} format"),
                               value=line[:40],
                               expected=Bilingual("ファイル名と格納形式", "a file name and a storage format"),
                               format=LABEL)
    file_name, fmt_text = parts[0], parts[1]
    if "/" in file_name or "\\" in file_name or file_name in (".", ".."):
        raise CorruptFileError(hea, expected=Bilingual("ヘッダーと同じフォルダーにある信号ファイル",
                                                       "a signal file beside the header"),
                               found=Bilingual(f"信号ファイル名 {file_name!r}",
                                               f"signal file name {file_name!r}"), format=LABEL)
    m = _FORMAT.match(fmt_text)
    if not m:
        raise HeaderValueError(hea, field=Bilingual(f"信号 {k} の形式", f"signal {k} format"),
                               value=fmt_text,
                               expected=Bilingual("format[xsamples][:skew][+offset] の書式",
                                                  "format[xsamples][:skew][+offset]"),
                               format=LABEL)
    fmt = int(m.group(1))
    if fmt not in BYTES_PER_SAMPLE:
        raise HeaderValueError(hea, field=Bilingual(f"信号 {k} の格納形式", f"signal {k} storage format"),
                               value=fmt_text,
                               expected=Bilingual(f"{sorted(BYTES_PER_SAMPLE)} のいずれか",
                                                  f"one of {sorted(BYTES_PER_SAMPLE)}"),
                               format=LABEL)
    spf = int(_num(hea, m.group(2) or "1",
                   Bilingual(f"信号 {k} のフレームあたりのサンプル数", f"signal {k} samples per frame"),
                   lo=1, hi=64, integer=True))
    offset = int(m.group(4) or 0)
    skew = int(m.group(3) or 0)
    if len(parts) < 3:
        # WFDB would assume 200 adu/mV: the record would be shown at an invented scale
        raise HeaderValueError(hea, field=Bilingual(f"信号 {k} の ADC ゲイン", f"signal {k} ADC gain"),
                               value=NONE_GIVEN,
                               expected=Bilingual("0 より大きい ADC ゲイン（この信号は未較正）",
                                                  "an ADC gain > 0 (the signal is uncalibrated)"),
                               format=LABEL)
    g = _GAIN.match(parts[2])
    gain_text, base_text, units = (g.group(1), g.group(2), g.group(3)) if g else (parts[2], None, None)
    # 1e9 adu per unit is a resolution of a billionth of the unit, far beyond any ADC; a larger
    # gain would show every lead flat
    gain = _num(hea, gain_text, Bilingual(f"信号 {k} の ADC ゲイン", f"signal {k} ADC gain"),
                lo=0.0, lo_open=True, hi=MAX_GAIN,
                expected=Bilingual(f"0 より大きく {MAX_GAIN:g} 以下の ADC ゲイン（0 は未較正を表す）",
                                   f"an ADC gain > 0 and <= {MAX_GAIN:g} (0 means uncalibrated)"))
    adczero = 0
    if len(parts) > 3:
        _num(hea, parts[3], Bilingual(f"信号 {k} の ADC 分解能", f"signal {k} ADC resolution"),
             lo=0, hi=32, integer=True)
    if len(parts) > 4:
        adczero = int(_num(hea, parts[4], Bilingual(f"信号 {k} の ADC ゼロ値", f"signal {k} ADC zero"),
                           lo=-(2**31), hi=2**31, integer=True))
    for idx, what_ja, what, lo in ((5, "初期値", "initial value", -(2**31)),
                                   (6, "チェックサム", "checksum", -(2**31)),
                                   (7, "ブロックサイズ", "block size", 0)):
        if len(parts) > idx:
            _num(hea, parts[idx], Bilingual(f"信号 {k} の{what_ja}", f"signal {k} {what}"),
                 lo=lo, hi=2**31, integer=True)
    baseline = adczero
    if base_text is not None:
        baseline = int(_num(hea, base_text, Bilingual(f"信号 {k} のベースライン", f"signal {k} baseline"),
                            lo=-(2**31), hi=2**31, integer=True))
    if units is not None and not units.strip():
        raise HeaderValueError(hea, field=Bilingual(f"信号 {k} の単位", f"signal {k} units"), value="",
                               expected=Bilingual("'/' の後の単位", "a unit after '/'"),
                               format=LABEL)
    return SignalSpec(file_name=file_name, fmt=fmt, samples_per_frame=spf, byte_offset=offset,
                      skew=skew, gain=gain, baseline=baseline, units=(units or "mV").strip(),
                      description=parts[8] if len(parts) > 8 else "",
                      plain_numbers=bool(g and _PLAIN_DECIMAL.match(gain_text)
                                         and (base_text is None or _PLAIN_INTEGER.match(base_text))
                                         and (len(parts) < 5 or _PLAIN_INTEGER.match(parts[4]))))
