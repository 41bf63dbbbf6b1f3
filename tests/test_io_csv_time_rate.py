"""QA report 22, item 3: a CSV whose time column is rounded (360 Hz written in whole ms: steps of
2 or 3 ms) gets its rate from the whole span, (n - 1) / (t_last - t_first), not from the median
step (which gave 333.3 Hz); a time column that is truly irregular (the rate changes, samples
are missing) is refused. The CSVs are written from MIT-BIH record 100 (360 Hz)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ecg_viewer.core.errors import EcgReadError, InvalidSignalError
from ecg_viewer.io import csv_reader, read_ecg


@pytest.fixture(scope="module")
def mitbih(samples: Path) -> np.ndarray:
    rec = read_ecg(samples / "wfdb" / "100.hea")
    assert rec.fs_hz == 360
    v5 = rec.signal_mv[rec.lead_names.index("V5")]
    mlii = rec.signal_mv[rec.lead_names.index("MLII")]
    return np.stack([mlii, v5])[:, : 360 * 20]


def _write(path: Path, t: np.ndarray, sig: np.ndarray, time_name: str, fmt: str) -> Path:
    lines = [f"{time_name},II,V5"]
    lines += [f"{format(ti, fmt)},{a:.4f},{b:.4f}" for ti, a, b in zip(t, sig[0], sig[1], strict=True)]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize(("fs", "time_name", "scale", "fmt"), [
    (360, "time_ms", 1000, ".0f"),  # whole ms: steps 2 or 3 (the median gave 333.3 Hz)
    (360, "time_s", 1, ".3f"),
    (300, "time_ms", 1000, ".0f"),  # steps 3 or 4 ms: the median gave 333.3 Hz as well
    (360, "time_s", 1, ".6f"),
    (500, "time_s", 1, ".10g"),  # exact steps: unchanged
])
def test_rounded_time_column(mitbih: np.ndarray, tmp_path: Path, fs: int, time_name: str,
                             scale: float, fmt: str) -> None:
    n = mitbih.shape[1]
    t = np.arange(n) / fs * scale
    rec = read_ecg(_write(tmp_path / "r.csv", t, mitbih, time_name, fmt))
    assert rec.fs_hz == fs
    assert rec.signal_mv.shape[1] == n


def test_rounded_time_column_over_several_blocks(mitbih: np.ndarray, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csv_reader, "BLOCK_ROWS", 1000)
    t = np.arange(mitbih.shape[1]) / 360 * 1000
    assert read_ecg(_write(tmp_path / "r.csv", t, mitbih, "time_ms", ".0f")).fs_hz == 360


def test_jittered_time_stamps_use_the_span(mitbih: np.ndarray, tmp_path: Path) -> None:
    n = mitbih.shape[1]
    jitter = np.random.default_rng(0).uniform(-0.3, 0.3, n)  # ms, around exact 360 Hz times
    t = np.arange(n) / 360 * 1000 + jitter
    assert read_ecg(_write(tmp_path / "r.csv", t, mitbih, "time_ms", ".2f")).fs_hz == 360


@pytest.mark.parametrize("case", ["rate_change", "gap", "gap_multi_block"])
def test_irregular_time_column_is_refused(mitbih: np.ndarray, tmp_path: Path, case: str,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    n = mitbih.shape[1]
    if case == "rate_change":  # 500 Hz, then 333 Hz: steps 2 and 3 ms, but not by rounding
        steps = np.where(np.arange(n) < n // 2, 2.0, 3.0)
        t = np.concatenate([[0.0], np.cumsum(steps[1:])])
    else:  # 0.5 s of samples missing in the middle
        t = np.arange(n) / 360 * 1000
        t[n // 2:] += 500
        if case == "gap_multi_block":
            monkeypatch.setattr(csv_reader, "BLOCK_ROWS", 1000)
    path = _write(tmp_path / "r.csv", t, mitbih, "time_ms", ".0f")
    with pytest.raises(InvalidSignalError) as info:
        read_ecg(path)
    assert "time_ms" in info.value.text("ja") and "不均一" in info.value.text("ja")
    assert "uneven time steps" in info.value.text("en")


def test_time_going_backwards_is_refused(mitbih: np.ndarray, tmp_path: Path) -> None:
    t = np.arange(mitbih.shape[1]) / 360 * 1000
    t[100] = t[98]
    with pytest.raises(EcgReadError):
        read_ecg(_write(tmp_path / "r.csv", t, mitbih, "time_ms", ".0f"))
