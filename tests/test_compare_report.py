"""`report` with the comparison, through the real pipeline (shipped weights on CPU): a real pair
of one PTB-XL patient (ecg 581, IVCD, then ecg 598, LBBB with QRS 110 -> 170 ms) written as HL7
aECG in one folder; the prior is found automatically."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from compare_fixtures import Ptbxl

from ecg_viewer.cli import main
from ecg_viewer.core.paths import model_weights_dir


@pytest.fixture(scope="module")
def pair(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    p = Ptbxl(shared_data)
    folder = tmp_path_factory.mktemp("patient583")
    prior, current = p.write(folder, 581), p.write(folder, 598)
    other = p.write(tmp_path_factory.mktemp("other"), 202)
    return prior, current, other


@pytest.mark.skipif(not (model_weights_dir() / "manifest.json").is_file(),
                    reason="no shipped weights in model_weights/")
def test_report_compares_with_the_prior_found_in_the_folder(pair, tmp_path: Path, capsys):
    prior, current, _ = pair
    pdf, js, fh = tmp_path / "r.pdf", tmp_path / "r.json", tmp_path / "r.fhir.json"
    assert main(["report", str(current), "--out", str(pdf), "--json", str(js), "--fhir", str(fh),
                 "--db", str(tmp_path / "db.sqlite3")]) == 0
    assert prior.name in capsys.readouterr().out
    d = json.loads(js.read_text(encoding="utf-8"))
    cmp = d["comparison"]
    assert Path(cmp["prior"]["file"]).name == prior.name and cmp["match"] == "folder"
    qrs = next(m for m in cmp["measurements"] if m["key"] == "qrs_ms")
    assert qrs["marked"] and qrs["change"] >= 40 and qrs["level"] == "D"
    # new / resolved = the labels above threshold now and not before (and the reverse)
    now = {lab["id"] for lab in d["labels"] if lab["above_threshold"]}
    assert {i["id"] for i in cmp["new_findings"]} <= now
    assert not ({i["id"] for i in cmp["resolved_findings"]} & now)
    assert all(i["score_prior"] is None or i["score_prior"] < 1 for i in cmp["new_findings"])
    ref = d["referral"]
    assert ref["level"] in ("D", "urgent")
    if ref["level"] == "D":
        assert "change:qrs_wide_change" in ref["because"]
        assert any("QRS幅が前回より" in r for r in ref["reasons_ja"])
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    sheet3 = text.split("\f")[2]
    assert "前回心電図との比較" in sheet3 and "1987-04-01 12:15" in sheet3
    assert "QRS" in sheet3 and "基準超" in sheet3 and "3/3" in sheet3.replace(" ", "")
    # the rate in 「/分」 as the header and the first sheet write it, never "bpm" in Japanese
    assert "/分" in sheet3 and "bpm" not in sheet3, sheet3
    from fhir.resources.R4B.bundle import Bundle

    raw = json.loads(fh.read_text(encoding="utf-8"))
    Bundle.model_validate(raw)
    res = [e["resource"] for e in raw["entry"]]
    reports = [r for r in res if r["resourceType"] == "DiagnosticReport"]
    assert len(reports) == 2
    obs = next(r for r in res if r["resourceType"] == "Observation"
               and r["code"]["coding"][0]["code"] == "comparison-with-prior")
    prior_entry = next(e for e in raw["entry"] if e["fullUrl"] == obs["focus"][0]["reference"])
    assert prior_entry["resource"]["effectiveDateTime"].startswith("1987-04-01T12:15")
    # the prior's conclusion states the model's suggestions: AI-asserted, as the current one's
    # (QA 66), and it says that the prior's own review is not applied
    assert prior_entry["resource"]["meta"]["security"][0]["code"] == "AIAST"
    # the comparison's new and resolved findings are the model's too (QA 71)
    assert obs["meta"]["security"][0]["code"] == "AIAST"
    assert "前回の医師の確認結果は反映していません" in prior_entry["resource"]["conclusion"]
    current_report = next(r for r in reports if r["effectiveDateTime"].startswith("1987-04-11"))
    obs_url = next(e["fullUrl"] for e in raw["entry"] if e["resource"] is obs)
    assert {"reference": obs_url} in current_report["result"]
    # each report names the recording it reads by its hash (the current one had no identifier)
    ident = [r["identifier"][0] for r in (current_report, prior_entry["resource"])]
    assert ident[0]["system"] == ident[1]["system"] and ident[0]["value"] != ident[1]["value"]
    assert all(len(i["value"]) == 64 for i in ident)


def test_prior_by_hand_none_and_refused(pair, tmp_path: Path, capsys):
    prior, current, other = pair
    js = tmp_path / "r.json"
    base = ["report", str(current), "--out", str(tmp_path / "r.pdf"), "--json", str(js),
            "--no-model", "--db", str(tmp_path / "db.sqlite3")]
    assert main([*base, "--prior", str(prior)]) == 0
    d = json.loads(js.read_text(encoding="utf-8"))
    assert d["comparison"]["match"] == "manual" and not d["comparison"]["findings_compared"]
    assert main([*base, "--prior", "none"]) == 0
    assert json.loads(js.read_text(encoding="utf-8"))["comparison"] is None
    capsys.readouterr()
    assert main([*base, "--prior", str(other)]) == 1
    assert "別の患者" in capsys.readouterr().err
    assert main([*base, "--prior", str(tmp_path / "missing.xml")]) == 1
    capsys.readouterr()
    assert main(["analyze", str(current), "--no-model", "--json", "--prior", "auto"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert Path(out["comparison"]["prior"]["file"]).name == prior.name
    assert "change:qrs_wide_change" in out["referral"]["because"]


@pytest.mark.skipif(not (model_weights_dir() / "manifest.json").is_file(),
                    reason="no shipped weights in model_weights/")
def test_english_comparison_sheet_and_fhir_are_english(pair, tmp_path: Path, capsys):
    """The comparison in English: its sheet and the FHIR texts hold no Japanese (the axis rows
    read "QRS axis", "P axis", "T axis", not 軸)."""
    import re

    cjk = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
    _, current, _ = pair
    pdf, fh = tmp_path / "r.pdf", tmp_path / "r.fhir.json"
    assert main(["--lang", "en", "report", str(current), "--out", str(pdf), "--fhir", str(fh),
                 "--db", str(tmp_path / "db.sqlite3")]) == 0
    capsys.readouterr()
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    sheet3 = text.split("\f")[2]
    assert "QRS axis" in sheet3 and "T axis" in sheet3 and "bpm" in sheet3
    assert not cjk.search(sheet3), cjk.findall(sheet3)
    # the notice that the comparison is no diagnosis is there whole (it was cut to "diagn…")
    words = " ".join(sheet3.split())
    assert "automatic measurements, not a diagnosis." in words, words
    # a marked change's level is whole in its column (the short name: "(Further exa…" before)
    marks = [ln for ln in sheet3.splitlines() if "▲ beyond threshold" in ln]
    assert marks and not any("beyond threshold (" in ln and "…" in ln.split("▲")[1][:40]
                             for ln in marks), marks
    raw = json.loads(fh.read_text(encoding="utf-8"))
    obs = next(e["resource"] for e in raw["entry"]
               if e["resource"]["resourceType"] == "Observation"
               and e["resource"]["code"]["coding"][0]["code"] == "comparison-with-prior")
    texts = json.dumps(obs.get("component", []), ensure_ascii=False)
    assert "QRS axis" in texts and not cjk.search(texts), cjk.findall(texts)


@pytest.mark.skipif(not (model_weights_dir() / "manifest.json").is_file(),
                    reason="no shipped weights in model_weights/")
def test_a_new_finding_is_not_raised_above_its_level_in_this_ecg(shared_data: Path, capsys):
    """E07509 (RBBB) against an earlier ECG without RBBB picked by hand: 前壁・側壁の心内膜下傷害
    new would be 要精査 (E07509 alone reads it so: secondary ST-T with the RBBB); the comparison
    with E07505 raised 要至急 for it. E07505 (a woman of 77; E07509 is a man of 71) is refused
    as another patient's ECG since 2026-12-06: E07504 (a man of 69) is the prior here."""
    cinc = shared_data / "samples" / "wfdb_cinc2021"
    assert main(["analyze", str(cinc / "E07509.hea"), "--json"]) == 0
    alone = json.loads(capsys.readouterr().out)
    assert alone["referral"]["level"] == "D"
    assert main(["analyze", str(cinc / "E07509.hea"), "--json",
                 "--prior", str(cinc / "E07504.hea")]) == 0
    d = json.loads(capsys.readouterr().out)
    new = {f["id"]: f["level"] for f in d["comparison"]["new_findings"]}
    assert new.get("crbbb") == "D"  # a new RBBB: 要精査 by the comparison's own rule
    if "injury_anterior" in new:
        assert new["injury_anterior"] == "D"
    assert d["referral"]["level"] == "D"


@pytest.mark.skipif(not (model_weights_dir() / "manifest.json").is_file(),
                    reason="no shipped weights in model_weights/")
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_comparison_sheet_lists_every_referral_reason_whole(tmp_path: Path, capsys,
                                                            lang: str) -> None:
    """QA 61: E07509 against the bundled 00009_hr raises five reasons; sheet 3 cut each to one
    line ("… (Further examinatio…") and hid the fifth behind "… +1" above half a page of space."""
    from ecg_viewer.core.paths import resources_dir

    samples = resources_dir() / "samples"
    pdf = tmp_path / "r.pdf"
    assert main(["--lang", lang, "report", str(samples / "E07509.hea"), "--prior",
                 str(samples / "00009_hr.hea"), "--out", str(pdf), "--db",
                 str(tmp_path / "db.sqlite3")]) == 0
    capsys.readouterr()
    sheet3 = subprocess.run(["pdftotext", "-layout", "-f", "3", "-l", "3", str(pdf), "-"],
                            capture_output=True, text=True, check=True).stdout
    words = " ".join(sheet3.split())
    assert "… +" not in sheet3
    if lang == "en":
        assert words.count("New since the prior ECG (time unknown):") >= 5, words
        assert "(Further examination needed)" in words and "examinatio…" not in words
    else:
        assert words.count("前回心電図（記録日時不明）になかった所見:") >= 5, words
