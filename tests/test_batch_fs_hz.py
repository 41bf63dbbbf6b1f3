"""QA report 22, item 8: the message for a CSV without a rate tells the user to give one, and
every command that reads a file takes it the same way: ``--fs-hz`` on ``info``, ``render``,
``analyze``, ``report`` and ``batch`` (the staged path with the model and the per-file path). The
rate is for a CSV that states none: a file's own rate column or time column is kept. The CSVs
are written from PTB-XL records in tmp_path."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pytest

from ecg_viewer.cli import _build_parser, main
from ecg_viewer.io import read_ecg

COMMANDS = ("info", "render", "analyze", "report", "batch")


def _csv(rec, path: Path, with_time: bool) -> Path:
    names = list(rec.lead_names)
    data = rec.signal_mv.T.astype(np.float64)
    if with_time:
        names = ["time_s", *names]
        data = np.column_stack([np.arange(data.shape[0]) / rec.fs_hz, data])
    np.savetxt(path, data, delimiter=",", header=",".join(names), comments="", fmt="%.5f")
    return path


@pytest.fixture
def folder(samples: Path, tmp_path: Path) -> Path:
    d = tmp_path / "in"
    d.mkdir()
    _csv(read_ecg(samples / "wfdb_ptbxl" / "00001_lr.hea"), d / "no_rate.csv", with_time=False)
    _csv(read_ecg(samples / "wfdb_ptbxl" / "00001_hr.hea"), d / "own_500.csv", with_time=True)
    return d


def test_every_reading_command_has_the_same_option() -> None:
    parser = _build_parser(COMMANDS)
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    options = []
    for cmd in COMMANDS:
        action = next(a for a in sub.choices[cmd]._actions if "--fs-hz" in a.option_strings)
        options.append((action.dest, action.type, action.default, action.metavar, action.help))
        assert sub.choices[cmd].parse_args(["x", "--fs-hz", "250"] + (
            ["--out", "x.pdf"] if cmd in ("render", "report", "batch") else [])).fs_hz == 250
    assert len(set(options)) == 1, options


def test_the_message_asks_for_the_rate_and_analyze_takes_it(folder: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    path = folder / "no_rate.csv"
    assert main(["analyze", str(path), "--no-model", "--json"]) == 1
    assert "サンプリング周波数（Hz）を指定" in capsys.readouterr().err
    assert main(["analyze", str(path), "--no-model", "--json", "--fs-hz", "100"]) == 0
    row = json.loads(capsys.readouterr().out.splitlines()[0])
    assert row["measurements"]["hr_bpm"] == pytest.approx(64, abs=2)  # PTB-XL 00001 at 100 Hz
    # a file's own rate is kept, never overridden by the option (500 read as 100: 13/min)
    assert main(["analyze", str(folder / "own_500.csv"), "--no-model", "--json",
                 "--fs-hz", "100"]) == 0
    row = json.loads(capsys.readouterr().out.splitlines()[0])
    assert row["measurements"]["hr_bpm"] == pytest.approx(64, abs=2)


def test_report_takes_the_rate(folder: Path, tmp_path: Path) -> None:
    out, js = tmp_path / "r.pdf", tmp_path / "r.json"
    argv = ["report", str(folder / "no_rate.csv"), "--out", str(out), "--json", str(js),
            "--no-model", "--no-review", "--prior", "none"]
    assert main(argv) == 1 and not out.exists()
    assert main([*argv, "--fs-hz", "100"]) == 0
    assert out.stat().st_size > 0
    assert json.loads(js.read_text(encoding="utf-8"))["record"]["fs_hz"] == 100
    assert main(["info", str(folder / "no_rate.csv"), "--fs-hz", "100"]) == 0


@pytest.mark.parametrize("model", [False, True])
def test_batch_takes_the_rate(folder: Path, tmp_path: Path, model: bool) -> None:
    out = tmp_path / "r.jsonl"
    argv = ["batch", str(folder), "--out", str(out), "--no-progress", "--workers", "1",
            "--fs-hz", "100", *([] if model else ["--no-model"])]
    assert main(argv) == 0
    rows = {Path(r["file"]).name: r for r in map(json.loads, out.read_text().splitlines())}
    assert set(rows) == {"no_rate.csv", "own_500.csv"}
    assert all("error" not in r for r in rows.values()), rows
    # the same ECG (PTB-XL 00001, 64/min) at 100 Hz by the option and at 500 Hz by its own time
    # column: the right rate gives the right heart rate in both (500 read as 100 would give 13)
    assert rows["no_rate.csv"]["measurements"]["hr_bpm"] == pytest.approx(64, abs=2)
    assert rows["own_500.csv"]["measurements"]["hr_bpm"] == pytest.approx(64, abs=2)
