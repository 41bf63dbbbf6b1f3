"""`report` and `batch` through the real pipeline: quality gate, measurements and the shipped
weights on CPU (skipped with a reason when the weights are not in model_weights/)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from ecg_viewer.core.paths import model_weights_dir

pytestmark = pytest.mark.skipif(not (model_weights_dir() / "manifest.json").is_file(),
                                reason="no shipped weights in model_weights/")


def test_report_and_batch_with_the_shipped_model(samples: Path, tmp_path: Path) -> None:
    from ecg_viewer.cli import main

    ecg = samples / "ge_muse" / "synthetic_muse.xml"
    pdf, js, fh = tmp_path / "r.pdf", tmp_path / "r.json", tmp_path / "r.fhir.json"
    assert main(["report", str(ecg), "--out", str(pdf), "--json", str(js), "--fhir", str(fh)]) == 0
    d = json.loads(js.read_text(encoding="utf-8"))
    weights = d["model"]["weights_sha256"]
    assert len(weights) == 64 and d["labels"] and d["measurements"]["hr_bpm"]
    top = d["labels"][0]["ja"]
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert top in text and weights[:16] in text and "SYNTH0001" in text
    from fhir.resources.R4B.bundle import Bundle

    Bundle.model_validate(json.loads(fh.read_text(encoding="utf-8")))

    folder = tmp_path / "two"
    folder.mkdir()
    (folder / "a.xml").symlink_to(ecg)
    (folder / "bad.SCP").symlink_to(samples / "scp_ecg" / "healforce_62.SCP")
    out = tmp_path / "res.jsonl"
    assert main(["batch", str(folder), "--out", str(out), "--no-progress"]) == 0
    rows = {Path(r["file"]).name: r for r in map(json.loads, out.read_text().splitlines())}
    assert rows["a.xml"]["labels"][0]["ja"] == top  # same pipeline, same answer
    assert "error_ja" in rows["bad.SCP"]
