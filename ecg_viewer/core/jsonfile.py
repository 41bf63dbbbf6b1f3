"""Reading a JSON data file the app ships (the label catalog, the rule tables): one reader with
one set of problems for all of them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any


def read_json_object(file: Path, error: Callable[[Path, str], Exception],
                     holds: str) -> dict[str, Any]:
    """The JSON object in ``file``; otherwise ``error(file, problem)`` is raised: the file is
    missing, not UTF-8 JSON, or its top level is not an object (``holds``: what it must hold,
    for the message)."""
    try:
        raw = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(file, "file not found") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise error(file, f"not readable as UTF-8 JSON ({exc})") from None
    if not isinstance(raw, dict):
        raise error(file, f"top level must be an object with {holds}")
    return raw
