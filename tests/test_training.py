"""Training end to end on synthetic data through a manifest of Japanese label texts (as a
hospital CSV would give), evaluation helpers, and DistributedDataParallel with 2 CPU processes."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("torch")

from ecg_viewer.model.labelspace import label_ids, load_catalog
from ecg_viewer.training.metrics import auroc, choose_threshold, fit_platt, topk_hit

REPO = Path(__file__).resolve().parents[1]


def _synthetic(tmp: Path, n: int = 48) -> tuple[Path, Path]:
    """Two classes an encoder can tell apart: irregular fast 'AF-like' beats vs regular slow
    ones. Labels are written as Japanese report terms, split by a column."""
    rng = np.random.default_rng(0)
    t = np.arange(1000) / 100.0
    xs, rows = [], []
    for i in range(n):
        af = i % 2 == 0
        beats = np.cumsum(rng.uniform(0.4, 0.9, 30)) if af else np.arange(0.3, 10, 1.0)
        sig = np.zeros((1000, 12))
        for b in beats[beats < 10]:
            sig += np.exp(-((t - b) ** 2) / 0.0008)[:, None] * rng.uniform(0.8, 1.2, 12)
        sig += rng.normal(0, 0.02, sig.shape)
        xs.append((sig * 1000).astype(np.int16))
        labels = "心房細動" if af else "正常心電図;洞調律"
        rows.append({"array": "syn.npz", "index": i, "labels": labels,
                     "split": "train" if i < n - 12 else "val"})
    np.savez(tmp / "syn.npz", X=np.stack(xs), fs=100)
    with open(tmp / "manifest.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=["array", "index", "labels", "split"])
        w.writeheader()
        w.writerows(rows)
    cat = load_catalog()
    emb = np.random.default_rng(1).normal(size=(len(cat.labels), 384)).astype(np.float32)
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    np.savez(tmp / "emb.npz", ids=np.array(label_ids(cat)), emb=emb,
             info=json.dumps({"text_model_id": "random-test"}))
    return tmp / "manifest.csv", tmp / "emb.npz"


def _args(manifest: Path, emb: Path, out: Path, *extra: str) -> list[str]:
    return ["--manifest", str(manifest), "--label-embeddings", str(emb), "--out", str(out),
            "--width", "8", "--epochs", "3", "--batch-size", "16", "--lr", "3e-3", "--quiet", *extra]


def test_train_main_end_to_end_on_synthetic_manifest(tmp_path: Path):
    from ecg_viewer.training.train import main

    manifest, emb = _synthetic(tmp_path)
    out = tmp_path / "run"
    assert main(_args(manifest, emb, out)) == 0
    cfg = json.loads((out / "config.json").read_text(encoding="utf-8"))
    assert (out / "model.safetensors").stat().st_size > 10_000
    assert set(cfg["label_order"]) == {"atrial_fibrillation", "normal_ecg", "sinus_rhythm"}
    assert cfg["n_train"] == 36 and cfg["n_val"] == 12
    assert len(cfg["history"]) == 3 and all(np.isfinite(h["loss"]) for h in cfg["history"])
    assert cfg["args"]["seed"] == 0 and cfg["augment"]["crop_samples"] == 800

    # the saved run is scored by the evaluation code over the whole catalog
    from ecg_viewer.training.data import load_manifest
    from ecg_viewer.training.evaluate import run_similarities

    cat = load_catalog()
    data = load_manifest(manifest, cat)
    sims = run_similarities([str(out)], data.x, label_ids(cat))
    assert sims.shape == (48, len(cat.labels)) and np.isfinite(sims).all()

    # same seed, same result
    out2 = tmp_path / "run2"
    main(_args(manifest, emb, out2))
    assert np.allclose(run_similarities([str(out2)], data.x[:4], label_ids(cat)), sims[:4], atol=1e-5)


def test_supervised_and_learned_heads_train(tmp_path: Path):
    from ecg_viewer.training.train import main

    manifest, emb = _synthetic(tmp_path, n=24)
    for head in ("linear", "learned"):
        assert main(_args(manifest, emb, tmp_path / head, "--head", head, "--epochs", "1")) == 0
        cfg = json.loads((tmp_path / head / "config.json").read_text(encoding="utf-8"))
        assert cfg["arch"]["head"] == head


def test_holdout_label_is_left_out_of_training(tmp_path: Path):
    from ecg_viewer.training.train import main

    manifest, emb = _synthetic(tmp_path, n=24)
    main(_args(manifest, emb, tmp_path / "zs", "--holdout", "atrial_fibrillation", "--epochs", "1"))
    cfg = json.loads((tmp_path / "zs" / "config.json").read_text(encoding="utf-8"))
    assert "atrial_fibrillation" not in cfg["label_order"]
    assert cfg["holdout"] == ["atrial_fibrillation"]


def test_ddp_two_cpu_processes(tmp_path: Path):
    manifest, emb = _synthetic(tmp_path, n=24)
    out = tmp_path / "ddp"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2",
           "--master_port", "29517", "-m", "ecg_viewer.training.train",
           *_args(manifest, emb, out, "--epochs", "1", "--threads", "2")]
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-3000:]
    cfg = json.loads((out / "config.json").read_text(encoding="utf-8"))
    assert cfg["world_size"] == 2


def test_metrics_on_known_cases():
    y = np.array([0, 0, 1, 1])
    assert auroc(y, np.array([0.1, 0.2, 0.3, 0.4])) == 1.0
    assert auroc(y, np.array([0.4, 0.3, 0.2, 0.1])) == 0.0
    assert auroc(y, np.array([0.1, 0.3, 0.2, 0.4])) == 0.75
    yy = np.array([[1, 0, 0], [0, 0, 1]])
    s = np.array([[0.1, 0.9, 0.5], [0.9, 0.8, 0.1]])
    assert topk_hit(yy, s, 1) == 0.0 and topk_hit(yy, s, 2) == 0.0 and topk_hit(yy, s, 3) == 1.0
    score = np.linspace(0, 1, 100)
    lab = (score > 0.3).astype(int)
    thr = choose_threshold(score, lab, 0.95)
    assert ((score >= thr) & (lab == 1)).sum() / lab.sum() >= 0.95
    a, b = fit_platt(score, lab)
    assert a > 0


def test_manifest_of_file_paths_and_japanese_report_terms(tmp_path: Path):
    """A hospital's archive: file paths + Japanese label texts; unknown terms are reported."""
    from ecg_viewer.training.data import load_manifest

    samples = REPO / "resources" / "samples"
    (tmp_path / "m.csv").write_text(
        "path,labels,split\n"
        f"{samples / '00017_hr.hea'},心房粗動;左軸偏位,val\n"
        f"{samples / '00009_hr.hea'},正常心電図|洞調律|存在しない所見,train\n"
        f"{tmp_path / 'missing.hea'},心房細動,train\n", encoding="utf-8")
    data = load_manifest(tmp_path / "m.csv", load_catalog())
    assert len(data) == 2  # the missing file is skipped with a warning, not fatal
    assert data.x.shape == (2, 12, 1000)  # 500 Hz files resampled to 100 Hz
    assert data.labels[0] == ["atrial_flutter", "left_axis_deviation"]
    assert set(data.labels[1]) == {"normal_ecg", "sinus_rhythm"}
    assert list(data.split) == ["val", "train"]
    assert data.unknown_tokens["存在しない所見"] == 1


def test_referral_rates_counts_d_and_urgent_labels_only() -> None:
    from ecg_viewer.training.metrics import referral_rates

    cats = ["A", "D", "urgent"]  # column 0: normal_ecg
    y = np.array([[1, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]])
    score = np.array([[0.9, 0.1, 0.0],   # normal, not flagged
                      [0.9, 0.6, 0.0],   # normal, flagged by the D label
                      [0.0, np.nan, 0.2],  # true D: NaN never flags, urgent 0.2 < 0.3
                      [0.9, 0.0, 0.4]])  # true urgent, flagged; an A label never flags
    thr = np.array([0.5, 0.5, 0.3])
    out = referral_rates(y, score, thr, cats, normal_col=0)
    assert out == {"n": 4, "flagged": 0.5, "normal_n": 2, "normal_flagged": 0.5,
                   "true_d_n": 2, "true_d_flagged": 0.5}
    assert "normal_n" not in referral_rates(y, score, thr, cats, normal_col=None)


def test_model_card_comparison_table_states_the_epochs_of_each_run() -> None:
    from ecg_viewer.training.model_card import comparison_table

    res = {"macro_auroc": 0.9, "top1": 0.8, "top5": 0.95}
    comps = {"seed 0, 32 epochs": {"config": {"loss": "multipos", "head": "text", "epochs": 32,
                                              "text_standardise": True},
                                   "val": res, "test": res, "input_norm": "zscore", "n_train": 2813,
                                   "runs": ["runs/e32_s0"], "train_time_s": 684.0},
             "shipped weights folder": {"config": {"loss": "multipos", "head": "text"},
                                        "val": res, "test": res, "runs": ["model_weights"]}}
    head, sep, row32, row_w = comparison_table(comps)
    cols = [c.strip() for c in head.strip("|").split("|")]
    assert len(cols) == sep.count("---")
    at = cols.index("epochs")
    assert [c.strip() for c in row32.strip("|").split("|")][at] == "32"
    assert [c.strip() for c in row_w.strip("|").split("|")][at] == "–"
    assert "11.4 min (1 run)" in row32


def test_an_export_keeps_the_comparisons_of_earlier_exports(tmp_path: Path) -> None:
    """`evaluate --export` rewrites metrics.json; the comparisons it held (whose runs may be
    gone) stay in it and in the model card, and one of the same name is replaced."""
    import json

    from ecg_viewer.training.evaluate import merged_comparisons

    f = tmp_path / "metrics.json"
    assert merged_comparisons(f, {"new": {"a": 1}}) == {"new": {"a": 1}}  # no earlier export
    f.write_text(json.dumps({"main": {}, "comparisons": {"16 epochs": {"a": 0}, "new": {"a": 0}}}))
    merged = merged_comparisons(f, {"new": {"a": 2}})
    assert merged == {"16 epochs": {"a": 0}, "new": {"a": 2}}
    assert list(merged) == ["16 epochs", "new"]
