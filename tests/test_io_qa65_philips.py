"""QA report 65, F4 (Philips part): a header that promises fewer samples than the waveform holds
was cropped silently. ``samplingrate`` 500 -> 100 in ``129DYPRG.xml`` kept the first 1100 of the
5500 decoded samples (2.2 s of signal stretched over 11 s, gated as lead-off), and
``durationperchannel`` 11000 -> 1000 kept 1 s (gated as a wrong rate); the other direction was
refused, but in the library's English. Both directions are now refused naming the samples found
and durationperchannel x rate. Files are changed copies of the real samples in tmp_path.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

import numpy as np
import pytest

from ecg_viewer.core.errors import CorruptFileError
from ecg_viewer.io import read_ecg

XLI_103 = "philips_xml/129DYPRG.xml"  # 1.03, UTF-8, <samplingrate> only
XLI_104 = "philips_xml/3191723_ZZDEMOPTONLY_1-04_orig.xml"  # 1.04, UTF-16, samplespersecond too


def _copy(samples: Path, tmp: Path, name: str, old: str, new: str, src: str = XLI_103) -> Path:
    raw = (samples / src).read_bytes()
    enc = "utf-16" if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8"
    text = raw.decode(enc)
    assert text.count(old) == 1, old
    out = tmp / name
    out.write_bytes(text.replace(old, new).encode(enc))
    return out


def _refusal(path: Path) -> tuple[str, str]:
    with pytest.raises(CorruptFileError) as err:
        read_ecg(path)
    ja, en = err.value.message("ja"), err.value.message("en")
    assert path.name in ja and path.name in en
    assert "CorruptedFileError" not in ja  # the reader's words, not the library's English
    return ja, en


@pytest.mark.parametrize(("rate", "want"), [(100, 1100), (125, 1375), (1000, 11000)])
def test_samplingrate_disagreeing_with_the_data_is_refused(samples: Path, tmp_path: Path,
                                                           rate: int, want: int) -> None:
    path = _copy(samples, tmp_path, f"rate{rate}.xml", "<samplingrate>500<",
                 f"<samplingrate>{rate}<")
    ja, en = _refusal(path)
    assert "I 誘導の波形データに 5500 サンプル" in ja, ja
    assert f"1 誘導あたり {want} サンプル（durationperchannel 11000 ms × サンプリング周波数 {rate} Hz）" in ja
    assert "5500 samples in the waveform data of lead I" in en
    assert f"{want} samples per lead (durationperchannel 11000 ms x sampling rate {rate} Hz)" in en


@pytest.mark.parametrize(("ms", "want"), [(1000, 500), (10000, 5000), (20000, 10000)])
def test_durationperchannel_disagreeing_with_the_data_is_refused(samples: Path, tmp_path: Path,
                                                                 ms: int, want: int) -> None:
    path = _copy(samples, tmp_path, f"dur{ms}.xml", 'durationperchannel="11000"',
                 f'durationperchannel="{ms}"')
    ja, en = _refusal(path)
    assert "5500 サンプル" in ja and f"1 誘導あたり {want} サンプル" in ja, ja
    assert f"durationperchannel {ms} ms" in en


def test_samplespersecond_of_a_1_04_file_is_checked_too(samples: Path, tmp_path: Path) -> None:
    path = _copy(samples, tmp_path, "sps250.xml", 'samplespersecond="500"',
                 'samplespersecond="250"', src=XLI_104)
    ja, _ = _refusal(path)
    assert "1 誘導あたり 2750 サンプル" in ja and "250 Hz" in ja, ja


def _uncompressed(samples: Path, tmp: Path, name: str, extra: int) -> Path:
    """129DYPRG with its 12 leads stored uncompressed (int16, one lead after another), each with
    ``extra`` samples more than durationperchannel x rate."""
    from ecgdatakit.parsing.parsers.sierra_xml import SierraXMLParser

    src = samples / XLI_103
    counts = [np.asarray(lead.samples) for lead in SierraXMLParser().parse(src).leads]
    data = np.concatenate([np.concatenate([c, c[:extra]]) for c in counts]).astype("<i2")
    text = src.read_text(encoding="utf-8")
    m = re.search(r"(<parsedwaveforms[^>]*>)([^<]*)", text)
    assert m is not None
    tag = m.group(1).replace('compressflag="True"', 'compressflag="False"').replace(
        'compressmethod="XLI"', 'compressmethod="None"')
    out = tmp / name
    out.write_text(text[:m.start()] + tag + base64.b64encode(data.tobytes()).decode()
                   + text[m.end():], encoding="utf-8")
    return out


def test_uncompressed_data_longer_than_the_header_is_refused(samples: Path, tmp_path: Path) -> None:
    whole = read_ecg(_uncompressed(samples, tmp_path, "plain.xml", 0))
    assert whole.signal_mv.shape == (12, 5000)  # 11 s, the calibration second cut
    ja, en = _refusal(_uncompressed(samples, tmp_path, "plain_longer.xml", 100))
    assert "計 67200 サンプル" in ja and "12 誘導 × 5500" in ja, ja
    assert "67200 samples in the waveform data of 12 leads" in en


def test_every_philips_sample_still_opens(samples: Path) -> None:
    for src in sorted((samples / "philips_xml").iterdir()):
        rec = read_ecg(src)
        assert rec.signal_mv.shape[0] == 12 and rec.fs_hz == 500.0, src.name
