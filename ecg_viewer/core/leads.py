"""Canonical lead names and the mapping from the many spellings files use."""

from __future__ import annotations

import re
import unicodedata

import numpy as np

CANONICAL_LEADS: tuple[str, ...] = (
    "I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6",
)  # fmt: skip
LIMB_LEADS: tuple[str, ...] = CANONICAL_LEADS[:6]
CHEST_LEADS: tuple[str, ...] = CANONICAL_LEADS[6:]
# Leads computable from I and II (Einthoven / Goldberger).
DERIVABLE_LEADS: tuple[str, ...] = ("III", "aVR", "aVL", "aVF")

_ALIASES = {
    "I": "I", "1": "I", "DI": "I", "LI": "I", "LEADI": "I",
    "II": "II", "2": "II", "DII": "II", "LII": "II", "LEADII": "II",
    "III": "III", "3": "III", "DIII": "III", "LIII": "III", "LEADIII": "III",
    "AVR": "aVR", "AVL": "aVL", "AVF": "aVF", "-AVR": None,
    **{f"V{i}": f"V{i}" for i in range(1, 7)},
    **{f"C{i}": f"V{i}" for i in range(1, 7)},
}  # fmt: skip

_PREFIXES = ("MDC_ECG_LEAD_", "MDC_ECG_", "LEAD_", "LEAD-", "LEAD ", "LEAD", "ECG_", "ECG ")


def canonical_lead_name(name: str) -> str | None:
    """Map a lead name in any common spelling to its canonical name, or None if not a 12-lead
    lead (e.g. ``"MLII"``, ``"vx"``, ``"-aVR"``). The name is NFKC-normalised first, so the
    Roman numerals Japanese software writes (Ⅰ Ⅱ Ⅲ, U+2160…) and full-width forms (Ｖ１, ａＶＲ)
    are read as I, II, III, V1, aVR.

    >>> canonical_lead_name("Lead I"), canonical_lead_name("MDC_ECG_LEAD_AVF"), canonical_lead_name("DII")
    ('I', 'aVF', 'II')
    """
    key = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", str(name))).strip().upper()
    for prefix in _PREFIXES:
        if key.startswith(prefix) and len(key) > len(prefix):
            key = key[len(prefix) :].strip()
            break
    key = key.replace(" ", "").replace("_", "")
    # "V-1", "C-3" (a hyphen or dot between the letter and the number; QA 65); "-aVR" stays None
    key = re.sub(r"^([VC])[-.](\d)$", r"\1\2", key)
    return _ALIASES.get(key)


def derive_limb_leads(lead_i: np.ndarray, lead_ii: np.ndarray) -> dict[str, np.ndarray]:
    """III, aVR, aVL and aVF from I and II."""
    return {
        "III": lead_ii - lead_i,
        "aVR": -(lead_i + lead_ii) / 2.0,
        "aVL": lead_i - lead_ii / 2.0,
        "aVF": lead_ii - lead_i / 2.0,
    }
