"""A small batch input folder for the batch tests (test helper): two bundled WFDB records and a
file that is not an ECG."""

from __future__ import annotations

import shutil
from pathlib import Path


def make_batch_folder(bundled_samples: Path, tmp_path: Path) -> Path:
    d = tmp_path / "in"
    d.mkdir()
    for name in ("00009_hr", "00017_hr"):
        for ext in (".hea", ".dat"):
            shutil.copy(bundled_samples / f"{name}{ext}", d)
    (d / "bad.xml").write_text("<not an ecg")
    return d
