"""The catalog as the model sees it: label order, prompt texts, and turning label tokens
(catalog ids, ``scp:CODE``, ``snomed:CODE``, ``axis:CODE`` or Japanese/English label texts and
synonyms) into catalog label ids. Torch-free."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

log = logging.getLogger(__name__)


def load_catalog() -> Any:
    from ecg_viewer.labels.catalog import load_catalog as _load

    return _load()


def _ids(labels: Any) -> list[str]:
    if labels is None:
        return []
    if hasattr(labels, "id"):
        return [labels.id]
    return [x.id if hasattr(x, "id") else str(x) for x in labels]


def catalog_version(catalog: Any) -> str:
    return str(getattr(catalog, "version", "unknown"))


def label_ids(catalog: Any) -> list[str]:
    return [lab.id for lab in catalog.labels]


def prompt_texts(catalog: Any) -> list[str]:
    return [lab.prompt_text for lab in catalog.labels]


def resolve_tokens(catalog: Any, tokens: Iterable[str]) -> tuple[list[str], list[str]]:
    """(label ids, tokens that matched nothing). A token is a catalog id, ``scp:X``,
    ``snomed:X``, ``axis:X``, or a label text / synonym (Japanese or English)."""
    by_id = {lab.id for lab in catalog.labels}
    out: list[str] = []
    unknown: list[str] = []
    for raw in tokens:
        tok = raw.strip()
        if not tok:
            continue
        scheme, sep, code = tok.partition(":")
        found: list[str] = []
        if tok in by_id:
            found = [tok]
        elif sep and scheme.lower() == "scp":
            found = _ids(catalog.labels_for_scp([code]))
        elif sep and scheme.lower() == "snomed":
            found = _ids(catalog.labels_for_snomed([code]))
        elif sep and scheme.lower() == "axis":
            found = _ids(catalog.labels_for_heart_axis(code))
        else:
            found = _ids(catalog.match_synonym(tok))
        if not found and not (sep and scheme.lower() in ("scp", "snomed", "axis")):
            unknown.append(tok)
        elif not found:
            unknown.append(tok)
        for f in found:
            if f not in out:
                out.append(f)
    return out, unknown
