"""Speed work must not change results: dump everything the pipeline computes for ~200 varied
real records (every sample, the CinC external records, PTB-XL 100 Hz records) with the code
before a change, then compare after it, bit for bit.

    PYTHONPATH=$PWD .venv/bin/python bench/identity.py dump /tmp/before.pkl
    PYTHONPATH=$PWD .venv/bin/python bench/identity.py compare /tmp/before.pkl [/tmp/after.pkl]

(``compare`` without a third file dumps the current code's results to a temp file first.)
"""
import dataclasses
import hashlib
import math
import pickle
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch

from ecg_viewer.core.errors import EcgError
from ecg_viewer.core.record import EcgRecord
from ecg_viewer.io import read_ecg
from ecg_viewer.model.preprocess import record_to_input
from ecg_viewer.pipeline.analyze import prepare
from ecg_viewer.pipeline.factory import make_analyzer
from ecg_viewer.pipeline.files import find_ecg_files

torch.set_num_threads(1)
DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

def records():
    files = find_ecg_files(DATA / "samples", recursive=True) + find_ecg_files(DATA / "cinc_extra")
    for f in files:
        try:
            yield str(f), read_ecg(f)
        except EcgError as exc:
            yield str(f), ("error", type(exc).__name__, str(exc))
    z = np.load(DATA / "ptbxl" / "ptbxl100_subset.npz")
    leads = tuple(str(x) for x in z["leads"])
    for i in range(0, len(z["ecg_id"]), 66):  # every 66th record, 100 Hz
        yield f"ptbxl100:{int(z['ecg_id'][i])}", EcgRecord(signal_mv=z["X"][i].T.astype(np.float32) / np.float32(1000.0),
                                                            fs_hz=100.0, lead_names=leads)

def arr(a):
    a = np.asarray(a)
    return ("arr", a.dtype.str, a.shape, hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest(), a)

def plain(x):
    if isinstance(x, np.ndarray):
        return arr(x)
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return {f.name: plain(getattr(x, f.name)) for f in dataclasses.fields(x)}
    if isinstance(x, dict):
        return {k: plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [plain(v) for v in x]
    if isinstance(x, (np.floating, np.integer, np.bool_)):
        return x.item()
    return x

def dump(out):
    an = make_analyzer("cpu")
    res = {}
    for name, rec in records():
        if isinstance(rec, tuple):
            res[name] = rec
            continue
        d = {}
        try:
            a, meas = an.analyze_parts(rec)
            d["analysis"] = a.to_dict()
            d["prediction"] = plain(a.prediction)
            d["meas"] = plain(meas)
            prep, _ = prepare(rec)
            d["features"] = plain(prep.features)
            d["fvec"] = arr(prep.features.as_vector()) if prep.features is not None else None
            d["quality"] = plain(prep.quality)
            try:
                d["input"] = arr(record_to_input(rec, an.predictor.input_norm))
            except EcgError as exc:
                d["input"] = ("error", str(exc))
        except Exception as exc:
            d["exc"] = (type(exc).__name__, str(exc))
        res[name] = d
        print(".", end="", flush=True)
    print(len(res))
    pickle.dump(res, open(out, "wb"))

def cmp(a, b, path, diffs, tol):
    if isinstance(a, tuple) and a and a[0] == "arr":
        if a[1:4] == b[1:4]:
            return
        if tol and a[1] == b[1] and a[2] == b[2] and a[4].dtype.kind == "f":
            x, y = a[4].astype(float), b[4].astype(float)
            ok = np.allclose(x, y, rtol=1e-9, atol=0, equal_nan=True)
            diffs.append((path, f"array differs, within 1e-9 rel: {ok}, max abs {np.nanmax(np.abs(x-y))}"))
            return
        diffs.append((path, "array differs"))
        return
    if type(a) is not type(b):
        diffs.append((path, f"{a!r} != {b!r}"))
        return
    if isinstance(a, dict):
        if list(a) != list(b):
            diffs.append((path, f"keys {list(a)} != {list(b)}"))
        for k in a:
            if k in b:
                cmp(a[k], b[k], f"{path}.{k}", diffs, tol)
        return
    if isinstance(a, (list, tuple)):
        if len(a) != len(b):
            diffs.append((path, f"len {len(a)} != {len(b)}"))
            return
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            cmp(x, y, f"{path}[{i}]", diffs, tol)
        return
    if isinstance(a, float) and math.isnan(a) and math.isnan(b):
        return
    if a != b:
        diffs.append((path, f"{a!r} != {b!r}"))

if __name__ == "__main__":
    if sys.argv[1] == "dump":
        dump(sys.argv[2])
    else:
        ref = pickle.load(open(sys.argv[2], "rb"))
        new_path = sys.argv[3] if len(sys.argv) > 3 else str(Path(tempfile.gettempdir())
                                                             / "ecgv-identity-new.pkl")
        if len(sys.argv) <= 3:
            dump(new_path)
        new = pickle.load(open(new_path, "rb"))
        diffs = []
        cmp(ref, new, "", diffs, tol=True)
        print(f"{len(ref)} records compared, {len(diffs)} differences")
        for p, m in diffs[:40]:
            print(p, m)
