"""The error log: where the catch-alls write the traceback of anything unexpected, so that the
terminal and the window show one line and the details are still kept for support.

``<data folder>/logs/errors.log`` (the review database's folder: ``$ECG_VIEWER_DATA_DIR`` or the
platform's per-user data folder); a log over 1 MB is renamed to ``errors.log.1`` first.
Writing the log never raises.
"""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
from datetime import UTC, datetime
from pathlib import Path

DATA_DIR_ENV = "ECG_VIEWER_DATA_DIR"
_MAX_BYTES = 1_000_000


def log_dir() -> Path:
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser() / "logs"
    try:
        import platformdirs

        return Path(platformdirs.user_data_dir("ecg-viewer", appauthor=False)) / "logs"
    except ImportError:
        return Path(tempfile.gettempdir()) / "ecg-viewer-logs"


def write_crash_log(exc: BaseException, context: str = "") -> Path | None:
    """Append the traceback of ``exc`` (with time, context and the command line) to the error
    log; returns its path, or None when no log could be written anywhere."""
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    entry = (f"=== {datetime.now(UTC).isoformat(timespec='seconds')} {context}\n"
             f"argv: {sys.argv!r}\n{text}\n")
    for folder in (log_dir(), Path(tempfile.gettempdir()) / "ecg-viewer-logs"):
        path = folder / "errors.log"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if path.exists() and path.stat().st_size > _MAX_BYTES:
                os.replace(path, path.with_name("errors.log.1"))
            with open(path, "a", encoding="utf-8") as fh:
                fh.write(entry)
            return path
        except OSError:
            continue
    return None
