"""A record of an hour or more gives its length as h:mm:ss on every surface: the page line of PDF
sheet 1 (``signal.page.window_text``), the details line of sheet 2 and ``info`` (QA 44 #8: sheet 2
read "3700.0 s" and ``info`` "3700.00 s" beside sheet 1's "of 1:01:40 (h:mm:ss)"). The record is
PTB-XL 00001 (II and V5, decimated to 100 Hz) tiled to 3700 s and written as a CSV."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from ecg_viewer.cli import main
from ecg_viewer.io import read_ecg


def _long_csv(samples: Path, folder: Path, seconds: int) -> Path:
    rec = read_ecg(samples / "wfdb_ptbxl" / "00001_hr.hea")
    names = list(rec.lead_names)
    x = rec.signal_mv[[names.index("II"), names.index("V5")], ::5].astype(np.float64)  # 100 Hz
    x = np.tile(x, (1, -(-seconds // 10)))[:, :seconds * 100]
    t = np.arange(x.shape[1]) / 100.0
    out = folder / f"long_{seconds}.csv"
    np.savetxt(out, np.column_stack([t, x.T]), fmt="%.4f", delimiter=",",
               header="time,II,V5", comments="")
    return out


@pytest.mark.parametrize("lang, long_text, short_text", [
    ("en", "1:01:40 (h:mm:ss, 370000 samples)", "600.00 s (60000 samples)"),
    ("ja", "1:01:40（時:分:秒、370000 サンプル）", "600.00 秒（60000 サンプル）"),
])
def test_info_gives_an_hour_long_record_as_h_mm_ss(samples: Path, tmp_path: Path, lang: str,
                                                   long_text: str, short_text: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    for seconds, expected in ((3700, long_text), (600, short_text)):
        assert main(["--lang", lang, "info", str(_long_csv(samples, tmp_path, seconds))]) == 0
        out = capsys.readouterr().out
        assert expected in out, out


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext not installed")
def test_pdf_sheet_2_gives_the_length_as_sheet_1_does(samples: Path, tmp_path: Path) -> None:
    f = _long_csv(samples, tmp_path, 3700)
    pdf = tmp_path / "long.pdf"
    assert main(["--lang", "en", "report", str(f), "--out", str(pdf), "--no-model",
                 "--prior", "none", "--no-review"]) == 0
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    sheet1, sheet2 = text.split("\f")[:2]
    assert "of 1:01:40 (h:mm:ss)" in sheet1
    assert re.search(r"100 Hz\s+1:01:40 \(h:mm:ss\)\s+2 leads", sheet2), sheet2
    assert "3700.0 s" not in text
