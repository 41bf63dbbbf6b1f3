"""PDF sheet 2 lets a long evidence line or a long "not measured" reason go on in a second line
instead of cutting it with "…" (QA 46 #11: CinC A0003 lost the inferior ST item of ST低下's
evidence and the end of 「P 軸 計測不能（P 波を確認できないため測定していません。）」). The record is
analysed by the shipped model on the CPU, as ``report`` does; the text is read with pdftotext and
the page's layout is kept (one page 2, the table and the blocks below it on it)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from ecg_viewer.cli import main
from ecg_viewer.core.paths import model_weights_dir

pytestmark = [
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext not installed"),
    pytest.mark.skipif(not (model_weights_dir() / "manifest.json").is_file(),
                       reason="no shipped weights in model_weights/"),
    pytest.mark.filterwarnings("ignore::RuntimeWarning"),
]


def _sheet2(pdf: Path, mode: str) -> str:
    return subprocess.run(["pdftotext", mode, "-f", "2", "-l", "2", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout


@pytest.mark.parametrize("lang, reason, evidence", [
    ("ja", "P軸計測不能（P波を確認できないため測定していません。）",
     "側壁誘導平均-0.12mV、○ST（J+60ms）下壁誘導平均"),
    ("en", "Paxisn/a(Notmeasured:noconsistentPwave.)", "lateralmean-0.12mV;○ST(J+60ms)inferiormean"),
])
def test_sheet2_wraps_long_cells_instead_of_cutting_them(shared_data: Path, tmp_path: Path,
                                                         lang: str, reason: str,
                                                         evidence: str) -> None:
    pdf = tmp_path / f"a3_{lang}.pdf"
    assert main(["--lang", lang, "report", str(shared_data / "cinc_extra" / "A0003.hea"),
                 "--out", str(pdf), "--no-review", "--device", "cpu", "--prior", "none"]) == 0
    raw = re.sub(r"\s+", "", _sheet2(pdf, "-raw"))
    # an ellipsis that cuts text (not the one of a range such as "-90…-45°")
    assert not re.search(r"…(?![-\d])", raw), raw
    assert reason in raw, raw
    if "ST低下" in raw or "STdepression" in raw:  # the model's suggestion, as QA 46 saw it
        assert evidence in raw, raw
    layout = _sheet2(pdf, "-layout")
    # the blocks under the table are still on the sheet, above the safety notice
    notice = "診断ではありません" if lang == "ja" else "not a diagnosis"
    heads = ("計測値", "自動判定") if lang == "ja" else ("Measurements", "Automatic referral level")
    assert all(h in layout for h in heads) and notice in layout
    assert layout.index(heads[0]) < layout.index(notice)
