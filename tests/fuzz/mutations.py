"""Mutation generators for the standing fuzz suite (issue 16): one family per reader.

A case is fully determined by ``(family, seed, index)``: :func:`make_case` copies a real sample
file of the family into a fresh folder and applies one mutation, chosen by a generator seeded
with those three numbers, so a failing case can be replayed exactly.

Mutation kinds:

- ``header``: a header number (rate, gain, baseline, scale, unit, sample count ...) set to one of
  :data:`VALUES` (``nan``, ``inf``, ``-1``, ``0``, ``1e300``, empty, letters, ``+5``, ``1e3``,
  ``-inf``). ``invalid`` says whether the new text is wrong for that field (a baseline of 0 or -1
  is a legal value; a rate of 0 is not). Every invalid one must be rejected or flagged.
- ``data``: a sample value set to one of the values (NaN, 1e300 ... in the waveform).
- ``truncate``: the file (or its signal file) cut at a random point.
- ``byteflip``: 1-16 random bytes of the file replaced.
- ``sizelie``: a length or count field that promises more (or other) data than is there.
"""

from __future__ import annotations

import re
import shutil
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

VALUES = ("nan", "inf", "-1", "0", "1e300", "", "abc", "+5", "1e3", "-inf")
# values that are well-formed and in range for a field of each kind (a header may say them)
LEGAL_POSITIVE = {"+5", "1e3"}  # gain, scale, resolution: any finite number > 0
LEGAL_OFFSET = {"-1", "0", "+5", "1e3"}  # baseline, origin, offset: any finite number
LEGAL_RATE_HZ = {"1e3"}  # 1000 Hz is a rate; 5 Hz is not (50-20,000 Hz)
FAMILIES = ("wfdb", "csv", "hl7aecg", "philips_xml", "ge_muse", "mfer", "scp", "dicom", "edf")
_FAMILY_ID = {f: i for i, f in enumerate(FAMILIES)}


@dataclass(frozen=True)
class Case:
    family: str
    index: int
    entry: Path  # the file to open
    kind: str  # header | data | truncate | byteflip | sizelie
    what: str  # e.g. "fs=nan", "signal 3 gain=0"
    invalid: bool  # a header value that is wrong for its field
    seed_file: str  # the sample it was made from (relative to samples/)


def rng_for(family: str, seed: int, index: int) -> np.random.Generator:
    return np.random.default_rng([seed, _FAMILY_ID[family], index])


# --- generic byte-level mutations ---------------------------------------------------------

def truncate(path: Path, rng: np.random.Generator) -> str:
    data = path.read_bytes()
    cut = int(rng.integers(0, max(1, len(data))))
    path.write_bytes(data[:cut])
    return f"{path.name} cut at {cut}/{len(data)}"


def byteflip(path: Path, rng: np.random.Generator, lo: int = 0) -> str:
    data = bytearray(path.read_bytes())
    n = int(rng.integers(1, 17))
    span = max(1, len(data) - lo)
    for _ in range(n):
        data[lo + int(rng.integers(0, span))] = int(rng.integers(0, 256))
    path.write_bytes(bytes(data))
    return f"{n} bytes of {path.name}"


def _pick(rng: np.random.Generator, seq: list | tuple):  # type: ignore[type-arg]
    return seq[int(rng.integers(0, len(seq)))]


# --- WFDB ---------------------------------------------------------------------------------

_WFDB_SEEDS = ("wfdb_ptbxl/00001_lr", "wfdb_ptbxl/00009_lr", "wfdb_cinc2021/HR06000")
# field -> values that are legal for it (WFDB header(5))
_WFDB_LEGAL = {"nsamp": {"0", "+5"}, "baseline": {"-1", "0", "+5"}, "adczero": {"-1", "0", "+5"},
               "initval": {"-1", "0", "+5"}, "checksum": {"-1", "0", "+5"}, "blocksize": {"0", "+5"},
               "gain": LEGAL_POSITIVE, "adcres": {"0", "+5"}, "fmt": set(), "nsig": set(),
               "fs": LEGAL_RATE_HZ}  # fmt: skip


def _wfdb(folder: Path, samples: Path, rng: np.random.Generator) -> tuple[Path, str, str, bool, str]:
    seed = _pick(rng, _WFDB_SEEDS)
    for f in (samples / seed).parent.glob(Path(seed).name + ".*"):
        shutil.copy(f, folder / f.name)
    hea = folder / (Path(seed).name + ".hea")
    dat = next(p for p in folder.iterdir() if p.suffix in (".dat", ".mat"))
    kind = _pick(rng, ("header", "header", "header", "truncate", "byteflip", "sizelie", "data"))
    lines = hea.read_text().splitlines()
    if kind == "header":
        value = _pick(rng, VALUES)
        field = _pick(rng, ("nsig", "fs", "nsamp", "fmt", "gain", "baseline", "units", "adcres",
                            "adczero", "initval", "checksum", "blocksize"))
        if field in ("nsig", "fs", "nsamp"):
            parts = lines[0].split()
            parts[{"nsig": 1, "fs": 2, "nsamp": 3}[field]] = value
            lines[0] = " ".join(parts)
            what = f"{field}={value!r}"
        else:
            sig = [j for j, ln in enumerate(lines) if ln.strip() and not ln.startswith("#")][1:]
            k = _pick(rng, sig)
            parts = lines[k].split(maxsplit=8)
            while len(parts) < 8:
                parts.append("0")
            if field == "fmt":
                parts[1] = value
            elif field in ("gain", "baseline", "units"):
                m = re.match(r"^([^(/]*)(?:\(([^)]*)\))?(?:/(.*))?$", parts[2])
                assert m
                g, b, u = m.group(1), m.group(2) or "0", m.group(3) or "mV"
                g, b, u = (value, b, u) if field == "gain" else (g, value, u) if field == "baseline" else (g, b, value)
                parts[2] = f"{g}({b})/{u}"
            else:
                parts[{"adcres": 3, "adczero": 4, "initval": 5, "checksum": 6, "blocksize": 7}[field]] = value
            lines[k] = " ".join(parts)
            what = f"signal {k} {field}={value!r}"
        hea.write_text("\n".join(lines) + "\n")
        invalid = value not in _WFDB_LEGAL.get(field, set())
        if field == "units":
            invalid = True  # none of the values is a voltage unit
        return hea, kind, what, invalid, seed
    if kind == "data":
        data = bytearray(dat.read_bytes())
        i = int(rng.integers(0, len(data) // 2)) * 2
        data[i:i + 2] = struct.pack("<h", int(_pick(rng, (32767, -32767, -32768, 0))))
        dat.write_bytes(bytes(data))
        return hea, kind, f"sample at byte {i}", False, seed
    if kind == "sizelie":
        parts = lines[0].split()
        parts[3] = str(int(parts[3]) * int(_pick(rng, (2, 10, 1000, 10**6))) + 1)
        lines[0] = " ".join(parts)
        hea.write_text("\n".join(lines) + "\n")
        return hea, kind, f"nsamp={parts[3]}", True, seed
    target = _pick(rng, (hea, dat))
    what = truncate(target, rng) if kind == "truncate" else byteflip(target, rng)
    return hea, kind, what, False, seed


# --- CSV ----------------------------------------------------------------------------------

def _csv_text(samples: Path) -> str:
    from ecg_viewer.io import read_ecg

    rec = read_ecg(samples / "wfdb_ptbxl" / "00001_lr.hea")
    stored = [n for n in rec.lead_names if n not in rec.derived_leads][:12]
    rows = np.stack([rec.lead(n) for n in stored], axis=1)
    body = "\n".join(f"{rec.fs_hz:g}," + ",".join(f"{v:.4f}" for v in r) for r in rows)
    return "fs_hz," + ",".join(stored) + "\n" + body + "\n"


_CSV_CACHE: dict[str, str] = {}


def _csv(folder: Path, samples: Path, rng: np.random.Generator) -> tuple[Path, str, str, bool, str]:
    key = str(samples)
    if key not in _CSV_CACHE:
        _CSV_CACHE[key] = _csv_text(samples)
    text = _CSV_CACHE[key]
    p = folder / "ecg.csv"
    kind = _pick(rng, ("header", "header", "data", "truncate", "byteflip"))
    lines = text.splitlines()
    if kind == "header":
        value = _pick(rng, VALUES)
        if rng.random() < 0.5:  # every row's rate
            lines = [lines[0]] + [value + ln[ln.index(","):] for ln in lines[1:]]
            what, invalid = f"fs_hz column={value!r}", value not in LEGAL_RATE_HZ
        else:
            k = int(rng.integers(1, len(lines)))
            lines[k] = value + lines[k][lines[k].index(","):]
            what, invalid = f"fs_hz row {k}={value!r}", True
        p.write_text("\n".join(lines) + "\n")
        return p, kind, what, invalid, "wfdb_ptbxl/00001_lr (as CSV)"
    if kind == "data":
        value = _pick(rng, VALUES)
        k = int(rng.integers(1, len(lines)))
        cells = lines[k].split(",")
        j = int(rng.integers(1, len(cells)))
        cells[j] = value
        lines[k] = ",".join(cells)
        p.write_text("\n".join(lines) + "\n")
        return p, kind, f"row {k} col {j}={value!r}", False, "wfdb_ptbxl/00001_lr (as CSV)"
    p.write_text(text)
    what = truncate(p, rng) if kind == "truncate" else byteflip(p, rng)
    return p, kind, what, False, "wfdb_ptbxl/00001_lr (as CSV)"


# --- XML (attribute / element text) -------------------------------------------------------

def _xml_mutation(folder: Path, samples: Path, rng: np.random.Generator, seeds: tuple[str, ...],
                  fields: list[tuple[str, str, set[str]]], data_pattern: str | None,
                  region: Callable[[str], tuple[int, int]] | None = None,
                  ) -> tuple[Path, str, str, bool, str]:
    """``fields``: (name, regex whose group 2 is the value, legal values); ``region``: the part
    of the text the reader uses (the rhythm data, not the median beat)."""
    seed = _pick(rng, seeds)
    src = samples / seed
    p = folder / src.name
    text = src.read_bytes().decode("utf-8", errors="surrogateescape")
    kind = _pick(rng, ("header", "header", "header", "truncate", "byteflip", "data"))
    if kind == "header":
        name, pattern, legal = _pick(rng, fields)
        lo, hi = region(text) if region else (0, len(text))
        hits = [m for m in re.finditer(pattern, text) if lo <= m.start() < hi]
        if hits:
            value = _pick(rng, VALUES)
            m = _pick(rng, hits)
            text = text[:m.start(2)] + value + text[m.end(2):]
            p.write_bytes(text.encode("utf-8", errors="surrogateescape"))
            return p, kind, f"{name}={value!r} (of {len(hits)})", value not in legal, seed
        kind = "byteflip"
    if kind == "data" and data_pattern:
        lo, hi = region(text) if region else (0, len(text))
        hits = [m for m in re.finditer(data_pattern, text) if lo <= m.start() < hi]
        if hits:
            m = _pick(rng, hits)
            value = _pick(rng, ("nan", "inf", "1e300", "-1e300", "abc", ""))
            text = text[:m.start(1)] + value + text[m.end(1):]
            p.write_bytes(text.encode("utf-8", errors="surrogateescape"))
            return p, kind, f"sample={value!r}", False, seed
        kind = "byteflip"
    shutil.copy(src, p)
    if kind == "truncate":
        return p, kind, truncate(p, rng), False, seed
    return p, "byteflip", byteflip(p, rng), False, seed


def _hl7(folder: Path, samples: Path, rng: np.random.Generator) -> tuple[Path, str, str, bool, str]:
    fields = [
        ("increment", r'(<increment\s+value=")([^"]*)(")', set()),
        ("increment unit", r'(<increment\s+value="[^"]*"\s+unit=")([^"]*)(")', set()),
        ("scale", r'(<scale\s+value=")([^"]*)(")', LEGAL_POSITIVE),
        ("scale unit", r'(<scale\s+value="[^"]*"\s+unit=")([^"]*)(")', set()),
        ("origin", r'(<origin\s+value=")([^"]*)(")', LEGAL_OFFSET),
        ("origin unit", r'(<origin\s+value="[^"]*"\s+unit=")([^"]*)(")', set()),
    ]
    seeds = ("hl7aecg/fda_minimum_aecg.xml", "hl7aecg/fda_minimum_aecg.xml", "hl7aecg/fda_Example_aECG.xml")
    def rhythm(text: str) -> tuple[int, int]:
        end = text.find("REPRESENTATIVE_BEAT")
        return 0, end if end >= 0 else len(text)

    return _xml_mutation(folder, samples, rng, seeds, fields, r"<digits>\s*(\S+)", rhythm)


def _philips(folder: Path, samples: Path, rng: np.random.Generator) -> tuple[Path, str, str, bool, str]:
    fields = [(tag, rf"(<{tag}>)([^<]*)(</{tag}>)", legal) for tag, legal in (
        ("samplingrate", LEGAL_RATE_HZ), ("signalresolution", LEGAL_POSITIVE),
        ("resolution", LEGAL_POSITIVE), ("bitspersample", {"+5"}), ("signaloffset", LEGAL_OFFSET))]
    fields += [(f"parsedwaveforms@{a}", rf'(<parsedwaveforms[^>]*\s{a}=")([^"]*)(")', set())
               for a in ("durationperchannel", "nbitspersample")]
    seeds = ("philips_xml/129DYPRG.xml", "philips_xml/2020-5-18_15-48-11.xml")
    return _xml_mutation(folder, samples, rng, seeds, fields, None)


def _muse(folder: Path, samples: Path, rng: np.random.Generator) -> tuple[Path, str, str, bool, str]:
    fields = [(tag, rf"(<{tag}>)([^<]*)(</{tag}>)", legal) for tag, legal in (
        ("SampleBase", LEGAL_RATE_HZ), ("SampleExponent", {"0", "-1"}),
        ("LeadAmplitudeUnitsPerBit", LEGAL_POSITIVE), ("LeadAmplitudeUnits", set()),
        ("LeadSampleCountTotal", set()), ("LeadByteCountTotal", set()), ("LeadSampleSize", set()),
        ("FirstSampleBaseline", LEGAL_OFFSET))]
    seeds = ("ge_muse/synthetic_muse.xml", "ge_muse/guangxi_teaching_sinus_rhythm.xml")

    def rhythm(text: str) -> tuple[int, int]:
        m = re.search(r"<WaveformType>\s*Rhythm", text)
        return (m.start(), len(text)) if m else (0, len(text))

    return _xml_mutation(folder, samples, rng, seeds, fields, None, rhythm)


# --- EDF (fixed-width ASCII header) --------------------------------------------------------

def _edf(folder: Path, samples: Path, rng: np.random.Generator) -> tuple[Path, str, str, bool, str]:
    seed = "edf/test_generator_2.edf"
    p = folder / "rec.edf"
    shutil.copy(samples / seed, p)
    data = bytearray(p.read_bytes())
    ns = int(data[252:256].decode())
    kind = _pick(rng, ("header", "header", "header", "truncate", "byteflip", "sizelie"))
    if kind == "header":
        value = _pick(rng, VALUES)
        field = _pick(rng, ("records", "duration", "ns", "pmin", "pmax", "dmin", "dmax", "nsamp"))
        legal: set[str] = set()
        if field in ("records", "duration", "ns"):
            off, width = {"records": (236, 8), "duration": (244, 8), "ns": (252, 4)}[field]
            what = f"{field}={value!r}"
        else:
            i = int(rng.integers(0, ns))
            base = 256 + ns * {"pmin": 104, "pmax": 112, "dmin": 120, "dmax": 128, "nsamp": 216}[field]
            off, width = base + 8 * i, 8
            what = f"signal {i} {field}={value!r}"
            legal = LEGAL_OFFSET if field in ("pmin", "pmax", "dmin", "dmax") else {"+5"}
        data[off:off + width] = value.ljust(width)[:width].encode()
        p.write_bytes(bytes(data))
        return p, kind, what, value not in legal, seed
    if kind == "sizelie":
        n = int(data[236:244].decode()) * int(_pick(rng, (2, 100, 10**6)))
        data[236:244] = str(n).ljust(8)[:8].encode()
        p.write_bytes(bytes(data))
        return p, kind, f"records={n}", True, seed
    if kind == "truncate":
        return p, kind, truncate(p, rng), False, seed
    return p, kind, byteflip(p, rng), False, seed


# --- DICOM (pydicom rewrites the decimal strings) -----------------------------------------

def _dicom(folder: Path, samples: Path, rng: np.random.Generator) -> tuple[Path, str, str, bool, str]:
    seed = "dicom/marcodebe_anonymous_ecg.dcm"
    p = folder / "ecg.dcm"
    kind = _pick(rng, ("header", "header", "header", "truncate", "byteflip"))
    if kind == "header":
        import warnings

        import pydicom
        from pydicom import config

        value = _pick(rng, VALUES)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            old = (config.settings.writing_validation_mode, config.settings.reading_validation_mode)
            config.settings.writing_validation_mode = config.IGNORE
            config.settings.reading_validation_mode = config.IGNORE
            try:
                ds = pydicom.dcmread(samples / seed)
                # the rhythm group (the most samples) is the one read; the median beat is not
                wf = max(ds.WaveformSequence, key=lambda w: int(w.NumberOfWaveformSamples))
                field = _pick(rng, ("SamplingFrequency", "ChannelSensitivity", "ChannelBaseline",
                                    "ChannelSensitivityCorrectionFactor", "NumberOfWaveformSamples"))
                if field in ("SamplingFrequency", "NumberOfWaveformSamples"):
                    target = wf
                else:
                    chans = wf.ChannelDefinitionSequence
                    target = chans[int(rng.integers(0, len(chans)))]
                if field == "NumberOfWaveformSamples":  # binary UL: a size lie
                    n = {"nan": 0, "inf": 2**32 - 1, "-1": 2**32 - 1, "0": 0, "1e300": 2**31,
                         "": 1, "abc": 7, "+5": 5, "1e3": 1000, "-inf": 2**32 - 2}[value]
                    target[field].value = n
                    value = str(n)
                    ds.save_as(p)
                else:
                    # a placeholder of 8 characters, then the text itself in its place (pydicom
                    # will not store 'abc' as a decimal string); DS allows trailing spaces
                    if field in target:
                        target[field].value = "9876.125"
                    else:
                        target.add_new(field, "DS", "9876.125")
                    ds.save_as(p)
                    raw = p.read_bytes()
                    p.write_bytes(raw.replace(b"9876.125", value.ljust(8).encode(), 1))
            finally:
                config.settings.writing_validation_mode, config.settings.reading_validation_mode = old
        legal = {"ChannelBaseline": LEGAL_OFFSET, "SamplingFrequency": LEGAL_RATE_HZ,
                 "ChannelSensitivity": LEGAL_POSITIVE,
                 "ChannelSensitivityCorrectionFactor": LEGAL_POSITIVE}.get(field, set())
        return p, kind, f"{field}={value!r}", value not in legal, seed
    shutil.copy(samples / seed, p)
    if kind == "truncate":
        return p, kind, truncate(p, rng), False, seed
    return p, kind, byteflip(p, rng, lo=132), False, seed


# --- MFER (tag-length-value) and SCP-ECG (CRC-protected sections) ---------------------------

def _mfer_tags(data: bytes) -> list[tuple[int, int, int]]:
    """(tag, value offset, value length) of the top-level MFER tags and those inside channel
    attribute blocks (tag 0x3F), until the waveform (0x1E) or an unreadable length."""
    out: list[tuple[int, int, int]] = []

    def walk(lo: int, hi: int) -> None:
        i = lo
        while i + 2 <= hi:
            tag = data[i]
            if tag == 0x3F:  # channel attribute: tag, channel number, length
                i += 1
            i += 1
            if i >= hi:
                return
            n = data[i]
            i += 1
            if n & 0x80:
                k = n & 0x7F
                if k > 4 or i + k > hi:
                    return
                n = int.from_bytes(data[i:i + k], "big")
                i += k
            if i + n > hi:
                return
            out.append((tag, i, n))
            if tag == 0x3F:
                walk(i, i + n)
            if tag == 0x1E:
                return
            i += n

    walk(0, len(data))
    return out


def _mfer(folder: Path, samples: Path, rng: np.random.Generator) -> tuple[Path, str, str, bool, str]:
    seed = _pick(rng, ("mfer/mferorg_ECG01.mwf", "mfer/mferorg_ECG03.mwf", "mfer/danghieuthang_sample.mwf"))
    p = folder / "ecg.mwf"
    shutil.copy(samples / seed, p)
    data = bytearray(p.read_bytes())
    kind = _pick(rng, ("header", "header", "truncate", "byteflip", "sizelie"))
    tags = _mfer_tags(bytes(data))
    # 0x0B sampling (unit, exponent, mantissa); 0x0C sensitivity (same layout)
    numbers = [t for t in tags if t[0] in (0x0B, 0x0C) and t[2] >= 3]
    if kind == "header" and numbers:
        tag, off, n = _pick(rng, numbers)
        change = _pick(rng, ("mantissa 0", "exponent +100", "exponent -100", "mantissa max"))
        if change == "mantissa 0":
            data[off + 2:off + n] = bytes(n - 2)
        elif change == "mantissa max":
            data[off + 2:off + n] = b"\xff" * (n - 2)
        else:
            data[off + 1] = (100 if "+" in change else -100) & 0xFF
        p.write_bytes(bytes(data))
        name = "sampling" if tag == 0x0B else "sensitivity"
        return p, "header", f"{name} {change}", change != "mantissa max", seed
    if kind == "sizelie" and tags:
        tag, off, n = _pick(rng, tags)
        if 0 < off - 1 < len(data) and data[off - 1] < 0x80:
            data[off - 1] = min(0x7F, data[off - 1] + int(rng.integers(1, 64)))
            p.write_bytes(bytes(data))
            return p, kind, f"tag 0x{tag:02x} length", False, seed
    if kind == "truncate":
        return p, "truncate", truncate(p, rng), False, seed
    return p, "byteflip", byteflip(p, rng), False, seed


def crc_ccitt(data: bytes) -> int:
    crc = 0xFFFF
    for b in data:
        crc ^= b << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc


def _scp_sections(data: bytes) -> dict[int, tuple[int, int]]:
    """Section id -> (offset, length) from the Section 0 pointer table."""
    out: dict[int, tuple[int, int]] = {}
    sec0_len = struct.unpack_from("<I", data, 10)[0]
    for k in range((sec0_len - 16) // 10):
        sid, length, index = struct.unpack_from("<HII", data, 6 + 16 + 10 * k)
        if length:
            out[sid] = (index - 1, length)
    return out


def _scp(folder: Path, samples: Path, rng: np.random.Generator) -> tuple[Path, str, str, bool, str]:
    seed = "scp_ecg/ecgtoolkit_Example.scp"
    p = folder / "ecg.scp"
    shutil.copy(samples / seed, p)
    data = bytearray(p.read_bytes())
    kind = _pick(rng, ("header", "header", "truncate", "byteflip", "sizelie"))
    if kind == "header":
        # Section 3 (lead definition: sample counts) or 6 (AVM nV, sample interval us), CRCs redone
        secs = _scp_sections(bytes(data))
        sid = _pick(rng, [s for s in (3, 6) if s in secs])
        off, length = secs[sid]
        if sid == 6:
            field = _pick(rng, ("AVM", "sample interval"))
            pos = off + 16 + (0 if field == "AVM" else 2)
            v = int(_pick(rng, (0, 1, 65535, 2)))
            data[pos:pos + 2] = struct.pack("<H", v)
            invalid = field == "sample interval" or v == 0
        else:
            lead = int(rng.integers(0, data[off + 16]))
            pos = off + 16 + 2 + 9 * lead + int(_pick(rng, (0, 4)))
            v = int(_pick(rng, (0, 2**32 - 1, 10**6)))
            data[pos:pos + 4] = struct.pack("<I", v)
            field, invalid = f"lead {lead} start/end sample", True
        data[off:off + 2] = struct.pack("<H", crc_ccitt(bytes(data[off + 2:off + length])))
        data[0:2] = struct.pack("<H", crc_ccitt(bytes(data[2:])))
        p.write_bytes(bytes(data))
        return p, kind, f"section {sid} {field}={v}", invalid, seed
    if kind == "sizelie":
        data[2:6] = struct.pack("<I", len(data) + int(rng.integers(1, 10**6)))
        p.write_bytes(bytes(data))
        return p, kind, "record size field", True, seed
    if kind == "truncate":
        return p, kind, truncate(p, rng), False, seed
    return p, kind, byteflip(p, rng), False, seed


GENERATORS: dict[str, Callable[[Path, Path, np.random.Generator], tuple[Path, str, str, bool, str]]] = {
    "wfdb": _wfdb, "csv": _csv, "hl7aecg": _hl7, "philips_xml": _philips, "ge_muse": _muse,
    "mfer": _mfer, "scp": _scp, "dicom": _dicom, "edf": _edf,
}  # fmt: skip


def make_case(family: str, seed: int, index: int, folder: Path, samples: Path) -> Case:
    """Case ``index`` of ``family`` for ``seed``, written into the empty ``folder``."""
    entry, kind, what, invalid, seed_file = GENERATORS[family](folder, samples, rng_for(family, seed, index))
    return Case(family=family, index=index, entry=entry, kind=kind, what=what, invalid=invalid,
                seed_file=seed_file)
