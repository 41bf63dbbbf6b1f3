"""Runs fuzz cases in worker processes and sorts each into one outcome (issue 16).

Outcomes, the columns of the table:

- ``rejected``: ``read_ecg`` raised :class:`EcgReadError` (a clear message, nothing shown)
- ``flagged``: read, but the quality gate says 判定不能 for a reason the unmutated file does not have
- ``same``: read, and the record is identical to the unmutated file's (rate, leads, samples)
- ``changed``: read, differs from the original, and the gate finds nothing new (plausible)
- ``traceback``: any other exception, in reading, in the quality gate, or in strict JSON output
- ``hang``: no answer within the time limit (the worker is killed and replaced)
- ``over_1gb``: the case raised the worker's peak RSS above 1 GiB (peak reset before each case)

A RuntimeWarning that escapes reading is counted apart (``warnings``). Each worker is a separate
process (``python -m tests.fuzz.harness --worker``): a hang or a memory blow-up cannot take the
run with it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

OUTCOMES = ("rejected", "flagged", "same", "changed", "traceback", "hang", "over_1gb")
HEADERS = {"rejected": "clean rejection", "flagged": "flagged unreadable", "same": "accepted-same",
           "changed": "accepted-changed-but-plausible", "traceback": "traceback", "hang": "hang",
           "over_1gb": "over 1 GB"}  # fmt: skip
RSS_LIMIT_BYTES = 1 << 30
ROOT = Path(__file__).resolve().parents[2]


# --- inside a worker ------------------------------------------------------------------------

def _reset_peak_rss() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")  # resets VmHWM (Linux)
    except OSError:
        pass


def _peak_rss_bytes() -> int:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class _Baselines:
    """The unmutated record and its quality problems, per seed file (computed once)."""

    def __init__(self, samples: Path) -> None:
        self.samples = samples
        self._cache: dict[str, Any] = {}

    def get(self, case: Any) -> Any:
        from ecg_viewer.io import read_ecg
        from ecg_viewer.signal.quality import assess_quality
        from tests.fuzz.mutations import _csv_text

        key = case.seed_file
        if key not in self._cache:
            if key.endswith("(as CSV)"):
                with tempfile.TemporaryDirectory() as d:
                    p = Path(d) / "ecg.csv"
                    p.write_text(_csv_text(self.samples))
                    rec = read_ecg(p)
            else:
                src = self.samples / key
                rec = read_ecg(src.with_suffix(".hea") if case.family == "wfdb" else src)
            q = assess_quality(rec)
            self._cache[key] = (rec, {p.code for p in q.problems}, q.ok)
        return self._cache[key]


def run_one(family: str, seed: int, index: int, samples: Path, baselines: _Baselines) -> dict[str, Any]:
    """Make and judge one case in this process."""
    import numpy as np

    from ecg_viewer.core.errors import EcgReadError
    from ecg_viewer.io import read_ecg
    from ecg_viewer.signal.quality import assess_quality
    from tests.fuzz.mutations import make_case

    with tempfile.TemporaryDirectory(prefix="ecgfuzz-") as d:
        try:
            case = make_case(family, seed, index, Path(d), samples)
        except Exception:  # a bug of the generator, not of a reader: reported apart
            return {"family": family, "index": index, "kind": "?", "what": "generator failed",
                    "invalid": False, "outcome": "gen_error", "trace": traceback.format_exc()[-1500:]}
        out: dict[str, Any] = {"family": family, "index": index, "kind": case.kind, "what": case.what,
                               "invalid": case.invalid, "seed_file": case.seed_file, "warnings": 0}
        _reset_peak_rss()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                rec = read_ecg(case.entry)
            except EcgReadError as exc:
                out["outcome"], out["detail"] = "rejected", exc.message_en[:200]
                rec = None
            except Exception as exc:  # what the suite exists to find
                out["outcome"] = "traceback"
                out["detail"] = "".join(traceback.format_exception_only(exc)).strip()[:300]
                out["trace"] = traceback.format_exc()[-2000:]
                rec = None
        out["warnings"] = sum(1 for w in caught if issubclass(w.category, RuntimeWarning))
        if rec is not None:
            try:
                json.dumps(rec.summary(), allow_nan=False)
                base, base_codes, _ = baselines.get(case)
                same = (rec.fs_hz == base.fs_hz and rec.lead_names == base.lead_names
                        and rec.signal_mv.shape == base.signal_mv.shape
                        and np.array_equal(rec.signal_mv, base.signal_mv))
                if same:
                    out["outcome"] = "same"
                else:
                    q = assess_quality(rec)
                    codes = {p.code for p in q.problems}
                    out["outcome"] = "flagged" if not q.ok and codes - base_codes else "changed"
                    out["detail"] = f"fs={rec.fs_hz:g} n={rec.n_samples} quality={sorted(codes)}"
            except Exception as exc:
                out["outcome"] = "traceback"
                out["detail"] = "".join(traceback.format_exception_only(exc)).strip()[:300]
                out["trace"] = traceback.format_exc()[-2000:]
        out["peak_rss"] = _peak_rss_bytes()
        if out["peak_rss"] > RSS_LIMIT_BYTES:
            out["outcome"] = "over_1gb"
    return out


def worker_main(samples: Path) -> None:
    """Read ``family seed index`` lines on stdin, answer one JSON line each."""
    baselines = _Baselines(samples)
    for line in sys.stdin:
        family, seed, index = line.split()
        res = run_one(family, int(seed), int(index), samples, baselines)
        sys.stdout.write(json.dumps(res) + "\n")
        sys.stdout.flush()


# --- the parent -----------------------------------------------------------------------------

@dataclass
class Result:
    counts: dict[str, Counter[str]] = field(default_factory=dict)  # family -> outcome -> n
    failures: list[dict[str, Any]] = field(default_factory=list)  # tracebacks, hangs, over 1 GB
    invalid_accepted: list[dict[str, Any]] = field(default_factory=list)
    invalid_unused: list[dict[str, Any]] = field(default_factory=list)
    warnings: int = 0
    seconds: float = 0.0

    def total(self, outcome: str) -> int:
        return sum(c[outcome] for c in self.counts.values())


class _Worker:
    def __init__(self, samples: Path) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1",
               "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.fuzz.harness", "--worker", str(samples)], cwd=ROOT, env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
        self.job: tuple[str, int, int] | None = None
        self.started = 0.0

    def send(self, job: tuple[str, int, int]) -> None:
        assert self.proc.stdin is not None
        self.job, self.started = job, time.monotonic()
        self.proc.stdin.write(f"{job[0]} {job[1]} {job[2]}\n")
        self.proc.stdin.flush()

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()


def run_cases(jobs: list[tuple[str, int, int]], samples: Path, *, workers: int = 2,
              timeout_s: float = 30.0, progress: bool = False) -> Result:
    """Run ``(family, seed, index)`` jobs on ``workers`` worker processes."""
    import selectors

    t0 = time.monotonic()
    result = Result()
    pending = list(reversed(jobs))
    pool = [_Worker(samples) for _ in range(max(1, min(workers, len(jobs))))]
    sel = selectors.DefaultSelector()
    for w in pool:
        sel.register(w.proc.stdout, selectors.EVENT_READ, w)  # type: ignore[arg-type]
    done = 0

    def record(res: dict[str, Any]) -> None:
        nonlocal done
        done += 1
        result.counts.setdefault(res["family"], Counter())[res["outcome"]] += 1
        result.warnings += int(res.get("warnings", 0))
        if res["outcome"] in ("traceback", "hang", "over_1gb", "gen_error"):
            result.failures.append(res)
        # an invalid value in a field the reader uses must be rejected or flagged; "same" means
        # the reader does not use that field (the record is unchanged): counted apart
        if res.get("invalid") and res["kind"] in ("header", "sizelie"):
            if res["outcome"] == "changed":
                result.invalid_accepted.append(res)
            elif res["outcome"] == "same":
                result.invalid_unused.append(res)
        if progress and done % 500 == 0:
            print(f"  {done}/{len(jobs)} cases, {time.monotonic() - t0:.0f} s", flush=True)

    def replace(w: _Worker) -> _Worker:
        sel.unregister(w.proc.stdout)  # type: ignore[arg-type]
        w.kill()
        nw = _Worker(samples)
        sel.register(nw.proc.stdout, selectors.EVENT_READ, nw)  # type: ignore[arg-type]
        pool[pool.index(w)] = nw
        return nw

    for w in list(pool):
        if pending:
            w.send(pending.pop())
    while any(w.job for w in pool):
        for key, _ in sel.select(timeout=1.0):
            w = key.data
            line = w.proc.stdout.readline()
            job = w.job
            w.job = None
            if not line:  # the worker died (killed for memory, or crashed)
                assert job is not None
                record({"family": job[0], "index": job[2], "kind": "?", "what": "worker died",
                        "outcome": "over_1gb" if w.proc.poll() in (-9, 137) else "traceback"})
                w = replace(w)
            else:
                res = json.loads(line)
                record(res)
                if res["outcome"] == "over_1gb":
                    w = replace(w)
            if pending:
                w.send(pending.pop())
        now = time.monotonic()
        for w in list(pool):
            if w.job and now - w.started > timeout_s:
                job = w.job
                record({"family": job[0], "index": job[2], "kind": "?", "what": "no answer",
                        "outcome": "hang"})
                nw = replace(w)
                if pending:
                    nw.send(pending.pop())
    for w in pool:
        w.kill()
    result.seconds = time.monotonic() - t0
    return result


def jobs_for(families: list[str], per_family: int, seed: int) -> list[tuple[str, int, int]]:
    # interleaved, so that slow families do not bunch up at the end
    return [(f, seed, i) for i in range(per_family) for f in families]


def table(result: Result) -> str:
    """The outcome table, one row per family and a total row (markdown)."""
    cols = list(OUTCOMES)
    lines = ["| family | cases | " + " | ".join(HEADERS[c] for c in cols) + " |",
             "|---|---:|" + "---:|" * len(cols)]
    total: Counter[str] = Counter()
    for fam, c in sorted(result.counts.items()):
        total.update(c)
        lines.append(f"| {fam} | {sum(c.values())} | " + " | ".join(str(c[o]) for o in cols) + " |")
    lines.append(f"| **all** | **{sum(total.values())}** | "
                 + " | ".join(f"**{total[o]}**" for o in cols) + " |")
    return "\n".join(lines)


if __name__ == "__main__" and len(sys.argv) > 2 and sys.argv[1] == "--worker":
    worker_main(Path(sys.argv[2]))
