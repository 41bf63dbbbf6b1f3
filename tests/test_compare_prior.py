"""Finding the prior ECG: real PTB-XL records of the same patients written as HL7 aECG files
(patient ID, sex and acquisition time from the PTB-XL table), read back through ``read_ecg``."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from compare_fixtures import Ptbxl, write_aecg

from ecg_viewer.compare.prior import (
    check_manual_prior,
    find_prior,
    find_priors,
    usable_patient_id,
    why_no_search,
)
from ecg_viewer.io import read_ecg
from ecg_viewer.review import ReviewStore


@pytest.fixture(scope="module")
def ptbxl(shared_data: Path) -> Ptbxl:
    return Ptbxl(shared_data)


def test_every_patient_with_several_records_gets_the_right_prior(ptbxl: Ptbxl, tmp_path: Path):
    pairs = ptbxl.patients_with_pairs()
    assert len(pairs) >= 10
    written = {eid: ptbxl.write(tmp_path, eid) for ids in pairs.values() for eid in ids}
    # distractors: a one-record patient, a record without patient ID
    single = next(e for e in ptbxl.rows if ptbxl.has(e) and ptbxl.patient(e) not in pairs)
    ptbxl.write(tmp_path, single, name="single.xml")
    ptbxl.write(tmp_path, single, name="no_id.xml", patient_id=None)
    checked = 0
    for pid, ids in pairs.items():
        for k, eid in enumerate(ids):
            rec = read_ecg(written[eid])
            assert rec.meta.patient_id == pid and rec.meta.recorded_at == ptbxl.when(eid)
            match = find_prior(rec)
            if k == 0:
                assert match is None, (pid, eid)
                continue
            assert match is not None, (pid, eid)
            assert match.path == written[ids[k - 1]].resolve(), (pid, eid)
            assert match.source == "folder" and match.patient_id == pid
            assert [m.path for m in find_priors(rec)] == [written[i].resolve()
                                                         for i in reversed(ids[:k])]
            checked += 1
    assert checked >= len(pairs)


def test_the_review_database_finds_a_prior_in_another_folder(ptbxl: Ptbxl, tmp_path: Path):
    old, new = tmp_path / "2025", tmp_path / "2026"
    old.mkdir()
    new.mkdir()
    ids = next(ids for ids in ptbxl.patients_with_pairs().values() if len(ids) == 2)
    prior_path = ptbxl.write(old, ids[0])
    current = read_ecg(ptbxl.write(new, ids[1]))
    with ReviewStore(tmp_path / "reviews.sqlite3") as store:
        assert find_prior(current, store=store) is None
        sha = read_ecg(prior_path).sha256
        store.update(sha, lambda r: replace(r, comment="前回"), file_path=str(prior_path))
        match = find_prior(current, store=store)
    assert match is not None and match.path == prior_path.resolve()
    assert match.source == "database"


@pytest.mark.parametrize(("change", "found"), [
    ({}, True),
    ({"patient_id": "9999"}, False),  # placeholder ID on both
    ({"sex": "M"}, False),  # same ID, other sex: not the same patient
    ({"recorded_at": datetime(2026, 5, 1, 10, 0)}, False),  # same acquisition time
    ({"recorded_at": datetime(2026, 5, 1, 10, 1)}, False),  # later, not earlier
])
def test_what_is_not_a_prior(ptbxl: Ptbxl, tmp_path: Path, change: dict, found: bool):
    sig = ptbxl.signal_uv(next(iter(ptbxl.rows)))
    base = {"patient_id": "JP-000123", "recorded_at": datetime(2026, 5, 1, 10, 0), "sex": "F"}
    cur_kw = dict(base, patient_id=change.get("patient_id", base["patient_id"]))
    cur = read_ecg(write_aecg(tmp_path / "current.xml", sig, 100.0, **cur_kw))
    prior_kw = dict(base, recorded_at=base["recorded_at"] - timedelta(days=30))
    prior_kw.update(change)
    write_aecg(tmp_path / "prior.xml", sig * 0.9, 100.0, **prior_kw)
    assert (find_prior(cur) is not None) is found


@pytest.mark.parametrize(("pid", "usable"), [
    ("SBJ-123", "SBJ-123"), (" 15709.0 ", "15709"), ("0012", "0012"), ("9999", None),
    ("00000000", None), ("xxxxxx", None), ("UNKNOWN", None), ("", None), (None, None),
])
def test_placeholder_ids(pid, usable):
    assert usable_patient_id(pid) == usable


def test_manual_pick_is_checked(ptbxl: Ptbxl, tmp_path: Path):
    pairs = list(ptbxl.patients_with_pairs().values())
    a, b = pairs[0][:2]
    other = pairs[1][0]
    cur = read_ecg(ptbxl.write(tmp_path, b))
    assert check_manual_prior(cur, read_ecg(ptbxl.write(tmp_path, a))) is None
    assert check_manual_prior(cur, cur)[0] == "compare.same_file"
    assert check_manual_prior(cur, read_ecg(ptbxl.write(tmp_path, other)))[0] == \
        "compare.other_patient"
    # the same ID on a prior of the other sex: the refusal names the sex, not the equal IDs
    sex_b = ptbxl.sex(b)
    other_sex = read_ecg(ptbxl.write(tmp_path, a, name="othersex.xml",
                                     sex={"M": "F", "F": "M"}[sex_b]))
    assert other_sex.meta.patient_id == cur.meta.patient_id
    assert check_manual_prior(cur, other_sex)[0] == "compare.other_sex"
    later = read_ecg(ptbxl.write(tmp_path, a, name="later.xml",
                                 recorded_at=ptbxl.when(b) + timedelta(days=1)))
    assert check_manual_prior(cur, later)[0] == "compare.not_earlier"
    no_id = read_ecg(ptbxl.write(tmp_path, other, name="noid.xml", patient_id=None,
                                 sex=ptbxl.sex(b)))
    assert check_manual_prior(cur, no_id) is None  # files without ID: the user decides
    assert why_no_search(no_id) == "compare.no_patient_id" and why_no_search(cur) is None


def test_no_patient_id_says_how_to_choose_the_prior_in_both_places(bundled_samples: Path,
                                                                    capsys) -> None:
    """QA 34: `analyze --prior auto` on a file without an ID pointed to the window's menu only."""
    from ecg_viewer.cli import main

    assert main(["analyze", str(bundled_samples / "E07509.hea"), "--prior", "auto",
                 "--no-model"]) == 0
    out = capsys.readouterr().out
    assert "--prior FILE" in out and "「前回心電図と比較…」" in out, out


def test_report_sums_up_unreadable_candidates_in_one_line(samples: Path, tmp_path: Path):
    """QA 51: `report` (--prior auto) printed one English WARNING line per unreadable file of the
    folder (61 in one case) on a Japanese terminal. One line in the language shown; each file's
    error is in the log file."""
    import os
    import shutil
    import subprocess
    import sys

    folder = tmp_path / "in"
    folder.mkdir()
    ecg = folder / "ecg.dcm"
    shutil.copy(samples / "dicom" / "marcodebe_anonymous_ecg.dcm", ecg)  # has a patient ID
    for i in range(3):
        (folder / f"broken_{i}.dcm").write_bytes(ecg.read_bytes()[:1000])
        (folder / f"empty_{i}.mwf").write_bytes(b"")
    data = tmp_path / "data"
    env = {**os.environ, "ECG_VIEWER_DATA_DIR": str(data),
           "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    logged = data / "logs" / "ecg-viewer.log"
    for lang, line in (("ja", f"前回心電図の候補のうち 6 件は読めませんでした（詳細はログ: {logged}）"),
                       ("en", "Candidate prior ECG files that could not be read: 6 (details in "
                              f"the log: {logged})")):
        run = subprocess.run([sys.executable, "-m", "ecg_viewer", "--lang", lang, "report",
                              str(ecg), "--out", str(tmp_path / "r.pdf"), "--no-model"],
                             capture_output=True, text=True, env=env, timeout=300)
        assert run.returncode == 0, run.stderr
        assert run.stderr.splitlines() == [line], run.stderr
    log = logged.read_text(encoding="utf-8")
    assert all(f"broken_{i}.dcm" in log and f"empty_{i}.mwf" in log for i in range(3)), log
