"""ecg-viewer: a desktop 12-lead ECG viewer with Japanese diagnostic-label suggestions."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ecg-viewer")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.1.0"

__all__ = ["__version__"]
