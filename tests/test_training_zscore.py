"""The z-scored data path: records without mV (band-passed, z-scored per lead) train together with
mV records through a z-score input normalisation; the inference side normalises the same way;
cross-fitting folds; the real PTB-XL manifest with both arrays (skipped without ../shared/data)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from ecg_viewer.model.labelspace import label_ids, load_catalog
from ecg_viewer.model.preprocess import array_to_input, zscore


def _beats(rng: np.random.Generator, af: bool) -> np.ndarray:
    t = np.arange(1000) / 100.0
    beats = np.cumsum(rng.uniform(0.4, 0.9, 30)) if af else np.arange(0.3, 10, 1.0)
    sig = np.zeros((1000, 12))
    for b in beats[beats < 10]:
        sig += np.exp(-((t - b) ** 2) / 0.0008)[:, None] * rng.uniform(0.8, 1.2, 12)
    return sig + rng.normal(0, 0.02, sig.shape)


def _ptbxl_dir(tmp: Path, n: int = 20) -> Path:
    """A miniature ../shared/data/ptbxl: the mV array (int16 uV) and the z-scored array."""
    rng = np.random.default_rng(0)
    d = tmp / "ptbxl"
    d.mkdir()
    for npz, csv_name, start, z in (("ptbxl100_subset.npz", "ptbxl_labels.csv", 1, False),
                                    ("ptbxl100_extra_zscored.npz", "ptbxl_extra_labels.csv", 2000, True)):
        xs, rows = [], []
        for i in range(n):
            af = i % 2 == 0
            sig = _beats(rng, af)
            if z:
                sig = zscore(sig.T).T.astype(np.float16)
            else:
                sig = (sig * 1000).astype(np.int16)
            xs.append(sig)
            codes = {"AFIB": 100.0} if af else {"NORM": 100.0, "SR": 0.0}
            rows.append({"ecg_id": start + i, "scp_codes": repr(codes), "heart_axis": "",
                         "strat_fold": (i % 10) + 1})
        np.savez(d / npz, X=np.stack(xs), ecg_id=np.arange(start, start + n), fs=100)
        with open(d / csv_name, "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
    return d


def _emb(tmp: Path) -> Path:
    cat = load_catalog()
    emb = np.random.default_rng(1).normal(size=(len(cat.labels), 384)).astype(np.float32)
    np.savez(tmp / "emb.npz", ids=np.array(label_ids(cat)), emb=emb,
             info=json.dumps({"text_model_id": "random-test"}))
    return tmp / "emb.npz"


def test_zscore_normalisation_is_scale_free_and_keeps_flat_leads_flat():
    rng = np.random.default_rng(3)
    sig = np.stack([_beats(rng, False)[:, 0] * 0.5 + 0.3] * 12)
    sig[4] = 0.0  # a flat lead
    x = zscore(sig)
    assert np.allclose(x[0].mean(), 0.0, atol=1e-5) and np.isclose(x[0].std(), 1.0, atol=1e-4)
    assert np.all(x[4] == 0.0)
    assert np.allclose(zscore(sig * 7.0), x, atol=1e-4)  # amplitude does not reach the encoder
    # inference input: a 500-Hz, 12-s record -> 100 Hz, central 10 s, z-scored per lead
    long = np.repeat(np.stack([_beats(rng, True)[:, 0]] * 12), 5, axis=1)[:, :6000]
    inp = array_to_input(long, 500.0, input_norm="zscore")
    assert inp.shape == (12, 1000) and np.isclose(inp[1].std(), 1.0, atol=1e-3)
    with pytest.raises(ValueError):
        array_to_input(long, 500.0, input_norm="bogus")


def test_train_on_mv_and_zscored_records_with_train_folds(tmp_path: Path):
    pytest.importorskip("torch")
    from ecg_viewer.training.data import load_manifest, write_ptbxl_manifest
    from ecg_viewer.training.train import main

    d = _ptbxl_dir(tmp_path)
    m = write_ptbxl_manifest(d, tmp_path / "m.csv", extra=True)
    cat = load_catalog()
    both = load_manifest(m, cat, input_norm="zscore")
    assert len(both) == 40 and both.has_mv.sum() == 20
    assert np.allclose(both.x.std(axis=-1), 1.0, atol=1e-2)  # every record z-scored alike
    assert len(load_manifest(m, cat, input_norm="mv")) == 20  # an mV encoder skips z-scored rows
    out = tmp_path / "run"
    rc = main(["--ptbxl", str(d), "--out", str(out), "--label-embeddings", str(_emb(tmp_path)),
               "--input-norm", "zscore", "--extra-zscored", "--train-folds", "1,2,3,4",
               "--width", "8", "--epochs", "1", "--batch-size", "8", "--quiet"])
    assert rc == 0
    cfg = json.loads((out / "config.json").read_text())
    assert cfg["input_norm"] == "zscore" and cfg["train_folds"] == [1, 2, 3, 4]
    assert cfg["n_train"] == 16 and cfg["n_train_mv"] == 8  # folds 1-4 of both arrays
    with pytest.raises(SystemExit):  # z-scored records need the z-score input
        main(["--ptbxl", str(d), "--out", str(tmp_path / "bad"), "--extra-zscored", "--quiet",
              "--label-embeddings", str(tmp_path / "emb.npz")])


def test_real_ptbxl_manifest_with_both_arrays(shared_data: Path, tmp_path: Path):
    from ecg_viewer.training.data import read_manifest, write_ptbxl_manifest

    rows = read_manifest(write_ptbxl_manifest(shared_data / "ptbxl", tmp_path / "m.csv", extra=True))
    units = {r["units"] for r in rows}
    assert units == {"uV", "zscore"}
    z = [r for r in rows if r["units"] == "zscore"]
    assert z and all(r["labels"].startswith("scp:") for r in z[:50])
    # a likelihood of 0.0 means "not stated": the code is kept
    assert any("scp:SR" in r["labels"] for r in z)
