"""The Japanese label catalog: schema, code coverage (PTB-XL SCP, CinC SNOMED), search."""

from __future__ import annotations

import ast
import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ecg_viewer.labels.catalog import (
    CATEGORIES,
    CatalogError,
    Label,
    default_catalog,
    load_catalog,
    match_synonym,
    normalize,
)

REPO = Path(__file__).resolve().parents[1]
CATALOG_JSON = REPO / "resources" / "labels" / "catalog.json"


@pytest.fixture(scope="module")
def cat():
    return load_catalog()


def _sample_snomed(samples: Path) -> set[str]:
    codes: set[str] = set()
    for hea in (samples / "wfdb_cinc2021").glob("*.hea"):
        for line in hea.read_text(encoding="utf-8").splitlines():
            if line.startswith("# Dx:"):
                codes |= {c.strip() for c in line[5:].split(",") if c.strip()}
    return codes


# --- schema -----------------------------------------------------------------------------------
def test_schema_and_size(cat):
    raw = json.loads(CATALOG_JSON.read_text(encoding="utf-8"))
    assert set(raw) >= {"version", "labels", "review_note", "unmapped_scp", "unmapped_snomed"}
    assert cat.version == raw["version"] and cat.version
    assert 95 <= len(cat) <= 125, len(cat)  # "about 100" (the paper used 98)
    assert all(isinstance(lab, Label) for lab in cat.labels)
    with pytest.raises(AttributeError):
        cat.labels[0].ja = "x"  # frozen


def test_review_note_says_it_needs_a_cardiologist(cat):
    assert "循環器専門医" in cat.review_note and "cardiologist" in cat.review_note


def test_ids_unique_ascii_and_every_label_complete(cat):
    ids = cat.ids
    assert len(ids) == len(set(ids))
    for lab in cat.labels:
        assert re.fullmatch(r"[a-z0-9_]+", lab.id), lab.id
        assert lab.category in CATEGORIES
        assert lab.ja and lab.en and lab.reason
        assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", lab.ja), lab.ja  # Japanese text
        assert lab.prompt_text == f"{lab.ja}（{lab.en}）"
        for code in lab.snomed:
            assert code.isdigit()
    # every category appears, and exactly the paced label is E
    assert {lab.category for lab in cat.labels} == set(CATEGORIES)
    assert [lab.id for lab in cat.labels if lab.category == "E"] == ["paced_rhythm"]


def test_by_id_and_unknown_id(cat):
    assert cat.by_id("atrial_fibrillation").ja == "心房細動"
    with pytest.raises(KeyError):
        cat.by_id("no_such_label")


def test_expected_japanese_labels_present(cat):
    ja = {lab.ja for lab in cat.labels}
    for term in ["正常心電図", "洞調律", "心房細動", "完全右脚ブロック", "左室肥大", "下壁心筋梗塞",
                 "陰性T波", "QT延長", "左軸偏位", "右軸偏位", "完全房室ブロック", "Brugada型心電図",
                 "ペースメーカ調律", "R波増高不良", "早期再分極", "時計方向回転"]:
        assert term in ja, term


# --- code coverage ----------------------------------------------------------------------------
def test_every_scp_statement_mapped_or_listed(cat, shared_data):
    with (shared_data / "ptbxl" / "scp_statements.csv").open(encoding="utf-8") as fh:
        statements = {row[""] for row in csv.DictReader(fh)}
    assert len(statements) == 71
    mapped = {c for lab in cat.labels for c in lab.scp}
    unmapped = dict(cat.unmapped_scp)
    assert statements <= mapped | set(unmapped), statements - mapped - set(unmapped)
    assert mapped | {c for lab in cat.labels for c in lab.scp_broader} <= statements  # no typos
    assert all(reason.strip() for reason in unmapped.values())


def test_every_sample_snomed_code_mapped_or_listed(cat, samples):
    codes = _sample_snomed(samples)
    assert len(codes) >= 20
    mapped = {c for lab in cat.labels for c in lab.snomed}
    assert codes <= mapped | {c for c, _ in cat.unmapped_snomed}, codes - mapped


def test_heart_axis_values_mapped_or_listed(cat, shared_data):
    with (shared_data / "ptbxl" / "ptbxl_labels.csv").open(encoding="utf-8") as fh:
        values = {row["heart_axis"] for row in csv.DictReader(fh)} - {""}
    listed = {c for c, _ in cat.unmapped_heart_axis}
    for value in values:
        assert cat.labels_for_heart_axis(value) or value in listed, value
    assert cat.labels_for_heart_axis("LAD") == {"left_axis_deviation"}
    assert cat.labels_for_heart_axis("ALAD") == {"left_axis_deviation"}
    assert cat.labels_for_heart_axis("RAD") == cat.labels_for_heart_axis("ARAD") == {
        "right_axis_deviation"}
    assert cat.labels_for_heart_axis("MID") == cat.labels_for_heart_axis(None) == set()


def test_code_lookups(cat):
    assert cat.labels_for_scp({"AFIB": 100.0, "SR": 0.0}) == {"atrial_fibrillation", "sinus_rhythm"}
    assert cat.labels_for_scp(["2AVB"]) == {"av_block_2"}
    assert "mobitz2" in cat.labels_for_scp(["2AVB"], include_broader=True)
    assert cat.labels_for_snomed([164889003]) == {"atrial_fibrillation"}
    assert cat.labels_for_snomed(["59118001"]) == {"crbbb"}
    assert cat.labels_for_snomed(["55827005"]) == {"lv_high_voltage"}  # LV high voltage, not LVH
    assert cat.labels_for_snomed(["164873001"]) == {"lvh"}


def test_record_and_text_lookups(cat):
    assert cat.labels_for_ptbxl({"IMI": 50.0, "SR": 0.0}, "LAD") == {
        "imi", "sinus_rhythm", "left_axis_deviation"}
    assert cat.labels_for_ptbxl({"NORM": 100.0}, "") == {"normal_ecg"}
    ids, unknown = cat.labels_for_texts(["心房細動", "ＣＲＢＢＢ", " ", "謎の所見"])
    assert ids == {"atrial_fibrillation", "crbbb"} and unknown == ["謎の所見"]


def test_zero_likelihood_codes_are_kept(cat, shared_data):
    """PTB-XL 'SR': 0.0 means "not stated as certain", not absent: such codes still count."""
    with (shared_data / "ptbxl" / "ptbxl_labels.csv").open(encoding="utf-8") as fh:
        row = next(r for r in csv.DictReader(fh) if r["ecg_id"] == "1")
    codes = ast.literal_eval(row["scp_codes"])
    assert codes["SR"] == 0.0
    assert cat.labels_for_scp(codes) == {"normal_ecg", "low_voltage", "sinus_rhythm"}


def test_label_count_table(shared_data):
    """The per-label count table of the model card: runs, and its totals match the split."""
    out = subprocess.run([sys.executable, str(REPO / "scripts" / "label_counts.py"),
                          "--shared-data", str(shared_data)],
                         capture_output=True, text=True, check=True).stdout
    records = next(line for line in out.splitlines() if line.startswith("(records)")).split()
    assert records[1:] == ["1490", "242", "255", "50"]
    af = next(line for line in out.splitlines() if line.startswith("atrial_fibrillation "))
    assert int(af.split()[2]) >= 50  # AF has enough training records to learn from


# --- search -----------------------------------------------------------------------------------
@pytest.mark.parametrize("query, first", [
    ("AF", "atrial_fibrillation"),
    ("Af", "atrial_fibrillation"),
    ("ＡＦ", "atrial_fibrillation"),  # full-width
    ("af", "atrial_fibrillation"),
    ("AFL", "atrial_flutter"),
    ("CRBBB", "crbbb"),
    ("crbbb", "crbbb"),
    ("LVH", "lvh"),
    ("LAD", "left_axis_deviation"),
    ("完全右脚", "crbbb"),
    ("心房細動", "atrial_fibrillation"),
    ("ブルガダ", "brugada"),
    ("ｳｪﾝｹﾊﾞｯﾊ", "wenckebach"),  # half-width katakana
    ("WPW", "wpw"),
    ("陰性T", "t_inversion"),
    ("陰性Ｔ波", "t_inversion"),
    ("QT延長", "long_qt"),
    ("左軸", "left_axis_deviation"),
    ("1度房室", "av_block_1"),
    ("Ⅰ度房室ブロック", "av_block_1"),  # NFKC folds the Roman numeral
    ("PVC", "pvc"),
    ("VPC", "pvc"),
    ("心筋梗塞", "mi"),
    ("pacemaker", "paced_rhythm"),
    ("atrial fib", "atrial_fibrillation"),
])
def test_search_first_hit(cat, query, first):
    hits = cat.search(query)
    assert hits and hits[0].id == first, [h.id for h in hits]


def test_search_prefix_and_limit(cat):
    hits = cat.search("心筋梗塞", limit=20)
    ids = [h.id for h in hits]
    assert {"imi", "asmi", "ami", "acute_mi"} <= set(ids)
    assert len(cat.search("T波", limit=3)) == 3
    assert cat.search("") == [] and cat.search("   ") == []
    assert cat.search("存在しない所見xyz") == []


def test_match_synonym(cat):
    assert cat.match_synonym("Af").id == "atrial_fibrillation"
    assert cat.match_synonym("ブルガダ型").id == "brugada"
    assert cat.match_synonym("ｃｒｂｂｂ").id == "crbbb"
    assert cat.match_synonym("完全右脚") is None  # prefix is not a synonym
    assert cat.match_synonym("右胸心").id == "dextrocardia"
    assert match_synonym("LVH").id == "lvh"  # default catalog
    assert default_catalog() is default_catalog()
    assert normalize("Ａ Ｆ") == "af"


# --- bad files --------------------------------------------------------------------------------
def _write(tmp_path: Path, obj) -> Path:
    p = tmp_path / "catalog.json"
    p.write_text(json.dumps(obj, ensure_ascii=False) if not isinstance(obj, str) else obj,
                 encoding="utf-8")
    return p


def _good() -> dict:
    return json.loads(CATALOG_JSON.read_text(encoding="utf-8"))


@pytest.mark.parametrize("mutate, needle", [
    (lambda c: c.pop("version"), "version"),
    (lambda c: c.update(labels=[]), "labels"),
    (lambda c: c["labels"][0].pop("ja"), "'ja'"),
    (lambda c: c["labels"][0].update(category="X"), "category"),
    (lambda c: c["labels"][0].update(id="Bad Id"), "id"),
    (lambda c: c["labels"][1].update(id=c["labels"][0]["id"]), "duplicate"),
    (lambda c: c["labels"][0].update(snomed=["AF"]), "SNOMED"),
    (lambda c: c["labels"][0].update(scp="NORM"), "'scp'"),
    (lambda c: c["labels"][0].update(colour="red"), "unknown field"),
    (lambda c: c["labels"][1]["synonyms_en"].append("NORM"), "belongs to both"),
    (lambda c: c.update(unmapped_scp={"X": ""}), "unmapped_scp"),
])
def test_bad_catalog_gives_clear_error(tmp_path, mutate, needle):
    c = _good()
    mutate(c)
    with pytest.raises(CatalogError) as err:
        load_catalog(_write(tmp_path, c))
    assert needle in str(err.value)
    assert "所見ラベル表を読めません" in err.value.message("ja")
    assert isinstance(err.value, ValueError)


def test_missing_and_broken_files(tmp_path):
    with pytest.raises(CatalogError, match="not found"):
        load_catalog(tmp_path / "nope.json")
    with pytest.raises(CatalogError, match="JSON"):
        load_catalog(_write(tmp_path, "{not json"))


def test_catalog_and_rule_tables_say_the_same_of_an_unreadable_file(tmp_path: Path) -> None:
    """The catalog and the rule tables are read by one reader (core.jsonfile): a missing file,
    a file that is not UTF-8 JSON and a top level that is not an object give the same problems,
    each raised as the caller's own error."""
    from ecg_viewer.labels.catalog import load_catalog
    from ecg_viewer.labels.referral_rules import RulesError, read_rule_table

    bad = tmp_path / "bad.json"
    bad.write_bytes(b"\xff{not json")
    listed = tmp_path / "list.json"
    listed.write_text("[1, 2]", encoding="utf-8")
    cases = ((tmp_path / "missing.json", "file not found"),
             (bad, "not readable as UTF-8 JSON"), (listed, "top level must be an object with"))
    for file, problem in cases:
        with pytest.raises(CatalogError, match=problem):
            load_catalog(file)
        with pytest.raises(RulesError, match=problem):
            read_rule_table(file)
    with pytest.raises(CatalogError, match="'version' and 'labels'"):
        load_catalog(listed)
    listed.write_text('{"labels": []}', encoding="utf-8")
    with pytest.raises(RulesError, match="with a 'version'"):
        read_rule_table(listed)
