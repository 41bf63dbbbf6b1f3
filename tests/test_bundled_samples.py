"""The demo records shipped in resources/samples open as 12-lead 500 Hz 10-s ECGs."""

import json
import subprocess
import sys

import numpy as np
import pytest

from ecg_viewer.core import CANONICAL_LEADS
from ecg_viewer.io import read_ecg

BUNDLED = ["00009_hr.hea", "00017_hr.hea", "E07509.hea", "E07505.hea", "HR06000.hea"]


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_sample_opens(bundled_samples, name):
    rec = read_ecg(bundled_samples / name)
    assert rec.lead_names == CANONICAL_LEADS
    assert rec.fs_hz == 500 and rec.duration_s == pytest.approx(10.0)
    peak = np.abs(rec.signal_mv - np.median(rec.signal_mv, axis=1, keepdims=True)).max(axis=1)
    assert np.median(peak) > 0.3 and peak.max() < 6.0


def test_bundled_samples_have_attribution(bundled_samples):
    readme = (bundled_samples / "README.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in readme and "Wagner" in readme
    assert (bundled_samples / "LICENSE-CC-BY-4.0.txt").is_file()
    for name in BUNDLED:
        assert name.removesuffix(".hea") in readme


def test_info_json_command(bundled_samples):
    out = subprocess.run(
        [sys.executable, "-m", "ecg_viewer", "info", str(bundled_samples / "00017_hr.hea"), "--json"],
        capture_output=True, text=True, check=True,
    )
    data = json.loads(out.stdout)
    for key in ("format", "fs_hz", "duration_s", "n_samples", "leads", "derived_leads", "range_mv", "meta"):
        assert key in data
    assert data["leads"] == list(CANONICAL_LEADS) and data["n_samples"] == 5000


def test_info_bad_file_exits_nonzero_with_message(tmp_path):
    bad = tmp_path / "x.hea"
    bad.write_text("not a header\n")
    out = subprocess.run([sys.executable, "-m", "ecg_viewer", "info", str(bad)],
                         capture_output=True, text=True)
    assert out.returncode == 1
    assert "x.hea" in out.stderr and "Traceback" not in out.stderr
