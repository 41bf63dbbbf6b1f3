"""The message table split by area: each module holds ``MESSAGES`` (key -> (Japanese, English)).

:mod:`ecg_viewer.core.messages` merges them into one table and refuses a key defined twice.
"""

from ecg_viewer.core.msg import (
    cli_help,
    comparison,
    criteria,
    findings,
    fusion,
    input_safety,
    measurements,
    outputs,
    reading,
    reading_desk,
    reports,
    window,
)

AREA_TABLES: tuple[tuple[str, dict[str, tuple[str, str]]], ...] = (
    ("reading", reading.MESSAGES),
    ("window", window.MESSAGES),
    ("reports", reports.MESSAGES),
    ("findings", findings.MESSAGES),
    ("measurements", measurements.MESSAGES),
    ("criteria", criteria.MESSAGES),
    ("fusion", fusion.MESSAGES),
    ("reading_desk", reading_desk.MESSAGES),
    ("comparison", comparison.MESSAGES),
    ("input_safety", input_safety.MESSAGES),
    ("outputs", outputs.MESSAGES),
    ("cli_help", cli_help.MESSAGES),
)
