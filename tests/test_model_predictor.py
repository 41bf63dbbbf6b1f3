"""The shipped weights: manifest and hashes, strict loading, Predictor on real records."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("torch")

from ecg_viewer.core.leads import CANONICAL_LEADS
from ecg_viewer.core.paths import model_weights_dir
from ecg_viewer.core.prediction import Prediction
from ecg_viewer.core.record import EcgRecord
from ecg_viewer.io import read_ecg
from ecg_viewer.model.errors import ModelInputError, WeightsError
from ecg_viewer.model.weights import read_manifest, sha256_file

WEIGHTS = model_weights_dir()
AF_IDS = {"atrial_fibrillation", "atrial_flutter"}


@pytest.fixture(scope="module")
def predictor():
    from ecg_viewer.model.predictor import Predictor

    return Predictor(device="cpu")


def test_manifest_lists_every_shipped_file_with_its_hash():
    m = read_manifest()
    assert m["files"], "manifest lists no files"
    for name, digest in m["files"].items():
        assert sha256_file(WEIGHTS / name) == digest, name
    for key in ("architecture", "preprocessing", "text_encoder", "catalog_version", "metrics",
                "training", "label_ids", "members"):
        assert m[key], key
    assert m["preprocessing"]["fs_hz"] == 100.0 and m["preprocessing"]["window_s"] == 10.0
    assert m["text_encoder"]["text_model_sha256"]
    shipped = sum((WEIGHTS / n).stat().st_size for n in m["files"])
    assert shipped < 8 * 2**20 * len(m["members"])  # a few MB per network
    assert (WEIGHTS / "MODEL_CARD.md").is_file()


def test_altered_weights_are_refused(tmp_path: Path):
    from ecg_viewer.model.predictor import Predictor

    bad = tmp_path / "w"
    shutil.copytree(WEIGHTS, bad)
    m = read_manifest(bad)
    member = bad / m["members"][0]
    data = bytearray(member.read_bytes())
    data[-1] ^= 0xFF
    member.write_bytes(bytes(data))
    with pytest.raises(WeightsError) as err:
        Predictor(bad, device="cpu")
    assert "ハッシュ" in err.value.message_ja


def test_predict_returns_every_label_best_first(predictor):
    rec = read_ecg(Path(__file__).resolve().parents[1] / "resources" / "samples" / "00017_hr.hea")
    pred = predictor.predict(rec)
    assert isinstance(pred, Prediction)
    assert len(pred.labels) == len(predictor.labels)
    scores = [s.score for s in pred.labels]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s.score <= 1.0 and s.category for s in pred.labels)
    assert pred.model.weights_sha256 == predictor.weights_sha256 and pred.model.device == "cpu"
    # PTB-XL 17 (fold 9), 500 Hz: atrial flutter / fibrillation; resampled to 100 Hz here
    assert AF_IDS & {s.id for s in pred.top(5)}, [s.ja for s in pred.top(5)]


def _ptbxl_record(shared: Path, ecg_id: int) -> EcgRecord:
    with np.load(shared / "ptbxl" / "ptbxl100_subset.npz") as z:
        i = int(np.flatnonzero(z["ecg_id"] == ecg_id)[0])
        sig = (z["X"][i].T / 1000.0).astype(np.float32)
    return EcgRecord(signal_mv=sig, fs_hz=100.0, lead_names=CANONICAL_LEADS)


@pytest.mark.shared_data
def test_fold10_af_records_rank_af_in_top5(predictor, shared_data: Path):
    """Every fold-10 (test) record labelled AFIB/AFLT; most must have AF/AFL in the top 5."""
    ids = []
    with open(shared_data / "ptbxl" / "ptbxl_labels.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["strat_fold"] == "10" and ("'AFIB'" in row["scp_codes"] or "'AFLT'" in row["scp_codes"]):
                ids.append(int(row["ecg_id"]))
    assert len(ids) >= 5
    preds = predictor.predict_batch([_ptbxl_record(shared_data, i) for i in ids])
    hits = [bool(AF_IDS & {s.id for s in p.top(5)}) for p in preds]
    assert sum(hits) / len(hits) >= 0.5, hits
    # batch and single predictions agree
    single = predictor.predict(_ptbxl_record(shared_data, ids[0]))
    assert [s.id for s in single.labels[:10]] == [s.id for s in preds[0].labels[:10]]


@pytest.mark.shared_data
def test_two_lead_record_is_refused_with_a_japanese_message(predictor, samples: Path):
    rec = read_ecg(samples / "wfdb" / "100.hea")  # MIT-BIH, MLII + V5
    with pytest.raises(ModelInputError) as err:
        predictor.predict(rec)
    assert "誘導" in err.value.message_ja and "V1" in err.value.message_ja


def test_short_and_nan_records_are_refused(predictor):
    short = EcgRecord(signal_mv=np.zeros((12, 300), np.float32), fs_hz=100.0, lead_names=CANONICAL_LEADS)
    with pytest.raises(ModelInputError):
        predictor.predict(short)
    sig = np.zeros((12, 1000), np.float32)
    sig[3, 10] = np.nan
    with pytest.raises(ModelInputError):
        predictor.predict(EcgRecord(signal_mv=sig, fs_hz=100.0, lead_names=CANONICAL_LEADS))


def test_limb_leads_are_derived_from_i_and_ii(predictor):
    rec = read_ecg(Path(__file__).resolve().parents[1] / "resources" / "samples" / "00017_hr.hea")
    keep = [n for n in rec.lead_names if n not in ("III", "aVR", "aVL", "aVF")]
    eight = EcgRecord(signal_mv=np.stack([rec.lead(n) for n in keep]).astype(np.float32),
                      fs_hz=rec.fs_hz, lead_names=tuple(keep))
    a = predictor.predict(rec)
    b = predictor.predict(eight)
    assert [s.id for s in a.labels[:5]] == [s.id for s in b.labels[:5]]


def test_catalog_query_by_synonym_and_abbreviation(predictor):
    rec = read_ecg(Path(__file__).resolve().parents[1] / "resources" / "samples" / "00017_hr.hea")
    q = predictor.similarity(rec, "AF")
    assert q.via == "catalog" and q.matched_label == "atrial_fibrillation"
    top = {s.id: i + 1 for i, s in enumerate(predictor.predict(rec).labels)}
    assert q.rank == top["atrial_fibrillation"]
    with pytest.raises(ModelInputError):
        predictor.similarity(rec, "  ")


def test_manifest_is_valid_json_and_card_states_limits():
    card = (WEIGHTS / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "cardiologist" in card and "not a diagnosis" in card
    json.loads((WEIGHTS / "manifest.json").read_text(encoding="utf-8"))
