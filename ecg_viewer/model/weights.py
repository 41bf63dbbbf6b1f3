"""The shipped weights folder (``model_weights/``): manifest, file hashes (torch-free)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from ecg_viewer.core.hashing import sha256_file
from ecg_viewer.core.paths import model_weights_dir
from ecg_viewer.model.errors import WeightsError

__all__ = ["MANIFEST", "MANIFEST_FORMAT", "read_manifest", "sha256_file"]

MANIFEST = "manifest.json"
MANIFEST_FORMAT = 1


def read_manifest(weights_dir: Path | None = None) -> dict[str, Any]:
    d = Path(weights_dir) if weights_dir else model_weights_dir()
    path = d / MANIFEST
    if not path.is_file():
        raise WeightsError("model.weights_missing", file=str(path))
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise WeightsError("model.weights_mismatch", detail=f"{path}: {exc}") from exc
    if manifest.get("format") != MANIFEST_FORMAT:
        raise WeightsError("model.weights_mismatch",
                           detail=f"manifest format {manifest.get('format')} (expected {MANIFEST_FORMAT})")
    return manifest


def verify_files(weights_dir: Path, manifest: dict[str, Any]) -> str:
    """Check every file listed under ``files`` against its sha256; return one hash that names
    the whole set (sha256 over the sorted name:hash lines)."""
    lines = []
    for name, expected in sorted(manifest.get("files", {}).items()):
        path = Path(weights_dir) / name
        if not path.is_file():
            raise WeightsError("model.weights_missing", file=str(path))
        if sha256_file(path) != expected:
            raise WeightsError("model.weights_hash", file=str(path))
        lines.append(f"{name}:{expected}")
    if not lines:
        raise WeightsError("model.weights_mismatch", detail="the manifest lists no files")
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()

