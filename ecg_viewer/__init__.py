"""ecg-viewer: a desktop 12-lead ECG viewer with Japanese diagnostic-label suggestions."""

from __future__ import annotations

__all__ = ["__version__"]


def __getattr__(name: str) -> str:
    """``__version__`` read from the installed metadata on first use (importlib.metadata costs
    ~0.1 s at start, before the window shows)."""
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        v = version("ecg-viewer")
    except PackageNotFoundError:  # running from a source tree without installation
        v = "0.1.0"
    globals()["__version__"] = v
    return v
