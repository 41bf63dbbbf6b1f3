"""One pipeline for every command: ``analyze``, ``report`` and ``batch`` take ``--device`` and
``--weights`` (built by pipeline.factory.make_analyzer), a missing weights folder is one clear
line, and a batch row is exactly the ``analyze --json`` object of the same file (the staged
batch run: workers prepare, the model runs on batches here)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from ecg_viewer.cli import main
from ecg_viewer.core.messages import language, set_language
from ecg_viewer.core.paths import model_weights_dir
from ecg_viewer.io import read_ecg
from ecg_viewer.pipeline.factory import forget_predictors

REPO = Path(__file__).resolve().parents[1]
RECORDS = ("00009_hr", "00017_hr", "E07505")


@pytest.fixture(autouse=True)
def _keep_language():
    """``--lang en`` below sets the process's language: put it back for the next tests."""
    before = language()
    yield
    set_language(before)


@pytest.fixture
def folder(bundled_samples: Path, tmp_path: Path) -> Path:
    d = tmp_path / "in"
    d.mkdir()
    for name in RECORDS:
        for f in bundled_samples.glob(f"{name}.*"):
            shutil.copy(f, d)
    return d


@pytest.fixture
def weights_copy(tmp_path: Path) -> Path:
    d = tmp_path / "my weights"
    shutil.copytree(model_weights_dir(), d)
    yield d
    forget_predictors()


def _analyze_rows(capsys: pytest.CaptureFixture[str], files: list[Path], *args: str
                  ) -> dict[str, dict]:
    rc = main(["--lang", "en", "analyze", "--json", *args, *map(str, files)])
    assert rc == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    for r in rows:
        r.pop("top")  # the notice stays: a batch row carries the same one (QA 41)
    return {Path(r["file"]).name: r for r in rows}


def test_batch_rows_equal_analyze_with_a_copied_weights_folder(
        folder: Path, weights_copy: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    files = sorted(folder.glob("*.hea"))
    single = _analyze_rows(capsys, files, "--device", "cpu", "--weights", str(weights_copy))
    (folder / "bad.xml").write_text("<not an ecg", encoding="utf-8")
    (folder / "again").mkdir()  # the same ECG a second time: listed as a duplicate
    for f in folder.glob("00009_hr.*"):
        shutil.copy(f, folder / "again")
    out = tmp_path / "out.jsonl"
    rc = main(["--lang", "en", "batch", str(folder), "--out", str(out), "--workers", "2",
               "--device", "cpu", "--weights", str(weights_copy), "--no-progress"])
    capsys.readouterr()
    assert rc == 0
    all_rows = [json.loads(line) for line in out.read_text().splitlines()]
    dup = [r for r in all_rows if r.get("duplicate")]
    assert len(dup) == 1 and Path(dup[0]["file"]).name == "00009_hr.hea"
    rows = {Path(r["file"]).name: r for r in all_rows if not r.get("duplicate")}
    bad = rows.pop("bad.xml")  # an error row: the message in both languages and its key
    assert bad["error_en"] == bad["error"] and bad["error_ja"] != bad["error_en"]
    assert bad["error_key"].startswith("read.") and bad["error_type"].endswith("Error")
    assert set(rows) == set(single) == {f"{n}.hea" for n in RECORDS}
    for name, row in rows.items():
        assert row["labels"] and row["model"], name  # the model answered
        row["file"] = single[name]["file"]
        assert row.pop("source")[0][0].endswith(name)  # the batch row's own: the files read
        # and whose ECG it is and when (QA 73), as the file gives them (None where it is silent)
        meta = read_ecg(folder / name).meta
        assert (row.pop("patient_id"), row.pop("recorded_at"), row.pop("age_years")) == (
            meta.patient_id, None if meta.recorded_at is None else meta.recorded_at.isoformat(),
            meta.age_years), name
        assert row == single[name], name  # the very same numbers, label order and reasons


def test_report_with_weights_and_device(folder: Path, weights_copy: Path, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    pdf, js = tmp_path / "r.pdf", tmp_path / "r.json"
    rc = main(["report", str(folder / "00009_hr.hea"), "--out", str(pdf), "--json", str(js),
               "--no-review", "--prior", "none", "--device", "cpu",
               "--weights", str(weights_copy)])
    capsys.readouterr()
    assert rc == 0 and pdf.read_bytes().startswith(b"%PDF")
    report = json.loads(js.read_text(encoding="utf-8"))
    assert "weights_sha256" in json.dumps(report)  # the model's suggestions are in it


@pytest.mark.parametrize("command", ["analyze", "report", "batch"])
def test_missing_weights_folder_is_one_clear_line(
        command: str, folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "no such weights"
    args = {"analyze": ["analyze", str(folder / "00009_hr.hea")],
            "report": ["report", str(folder / "00009_hr.hea"), "--out", str(tmp_path / "r.pdf"),
                       "--no-review", "--prior", "none"],
            "batch": ["batch", str(folder), "--out", str(tmp_path / "o.jsonl"),
                      "--no-progress"]}[command]
    rc = main(["--lang", "en", *args, "--device", "cpu", "--weights", str(missing)])
    err = capsys.readouterr().err
    assert rc in (1, 2)
    assert "Traceback" not in err and str(missing) in err
    assert not (tmp_path / "r.pdf").exists()
    if command == "batch":
        assert (tmp_path / "o.jsonl").read_text() == ""  # nothing recorded as done


def test_no_model_needs_no_weights(folder: Path, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    rows = _analyze_rows(capsys, [folder / "00009_hr.hea"], "--no-model",
                         "--weights", str(tmp_path / "absent"))
    row = rows["00009_hr.hea"]
    assert not row.get("labels") and row["measurements"]["hr_bpm"] > 0


def test_one_ecg_alone_scores_as_in_a_batch(folder: Path) -> None:
    """The Predictor pads small batches: one ECG (the window, ``analyze``) gets the very same
    similarities as in a batch of any size (``batch``)."""
    from ecg_viewer.io import read_ecg
    from ecg_viewer.pipeline.factory import shared_predictor

    p = shared_predictor("cpu")
    xs = np.stack([p.model_input(read_ecg(f)) for f in sorted(folder.glob("*.hea"))])
    many = np.concatenate([xs] * 4)  # 12 inputs: one chunk of 8 and one of 4 with batch_size 8
    together = p.similarities(many, batch_size=8)
    for i, x in enumerate(xs):
        alone = p.similarities(x[None])[0]
        assert np.array_equal(alone, together[i]) and np.array_equal(alone, together[i + 9])


def test_commands_build_the_pipeline_one_way() -> None:
    """No command constructs an Analyzer or a Predictor itself."""
    out = subprocess.run(["grep", "-rnE", r"Analyzer\(|Predictor\(", "ecg_viewer/commands"],
                         cwd=REPO, capture_output=True, text=True)
    assert out.stdout == ""


def test_low_confidence_modified_qtc_has_a_reason(shared_data: Path) -> None:
    """A wide-QRS record whose QT or QRS is uncertain: the modified QTc is listed as uncertain
    with its reason (to_dict raised KeyError on such records, so analyze and batch failed)."""
    from ecg_viewer.io import read_ecg
    from ecg_viewer.signal.measure import measure

    d = measure(read_ecg(shared_data / "cinc_extra" / "JS00001.hea")).to_dict()
    assert "qtc_modified_ms" in d["low_confidence"]
    assert d["confidence_reasons"]["qtc_modified_ms"]
