"""A damaged file's refusal in the reader's words (QA 45: 45 of 121 Japanese refusals carried the
libraries' English, one of them 「…only 176 are complete; reading those」 for a file not read).
Real sample files cut short in tmp_path, read as the app reads them."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecg_viewer.core.errors import EcgReadError
from ecg_viewer.io import read_ecg


@pytest.mark.parametrize("name, keep, words", [
    ("edf/test_generator_2.edf", 800_000, "600 レコードのうち完全なものは 176"),
    ("mfer/mferorg_ECG01.mwf", 40_000, "80000 バイトの宣言に対し残り 39844 バイト"),
    ("dicom/marcodebe_anonymous_ecg.dcm", 100_000, "ファイルが途中で切れています"),
    ("philips_xml/129DYPRG.xml", 30_000, "849 行目で途切れている"),
])
def test_a_file_cut_short_is_said_so(samples: Path, tmp_path: Path, name: str, keep: int,
                                     words: str) -> None:
    src = samples / name
    if not src.exists():
        pytest.skip(f"{name} is not in ../shared/data/samples")
    cut = tmp_path / Path(name).name
    cut.write_bytes(src.read_bytes()[:keep])
    with pytest.raises(EcgReadError) as info:
        read_ecg(cut)
    ja, en = info.value.message_ja, info.value.message_en
    assert words in ja, ja
    for english in ("declares", "truncated", "reading those", "No tag", "no element found"):
        assert english not in ja, ja
    assert "cut short" in en or "ends early" in en, en
