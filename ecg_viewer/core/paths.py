"""Locations of the files that ship with the application (resources/, model_weights/)."""

from __future__ import annotations

import sys
from pathlib import Path


def app_root() -> Path:
    """The folder holding resources/ and model_weights/ (source tree or PyInstaller bundle)."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle)
    return Path(__file__).resolve().parents[2]


def resources_dir() -> Path:
    return app_root() / "resources"


def model_weights_dir() -> Path:
    return app_root() / "model_weights"


def font_path() -> Path:
    return resources_dir() / "fonts" / "ipaexg.ttf"


def samples_dir() -> Path:
    return resources_dir() / "samples"
