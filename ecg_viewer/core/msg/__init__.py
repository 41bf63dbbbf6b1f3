"""The message table split by area: each module holds ``MESSAGES`` (key -> (Japanese, English)).

:mod:`ecg_viewer.core.messages` merges them into one table and refuses a key defined twice.
"""

from ecg_viewer.core.msg import (
    comparison,
    criteria,
    fusion,
    input_safety,
    measurements,
    outputs,
    reading_desk,
)

AREA_TABLES: tuple[tuple[str, dict[str, tuple[str, str]]], ...] = (
    ("measurements", measurements.MESSAGES),
    ("criteria", criteria.MESSAGES),
    ("fusion", fusion.MESSAGES),
    ("reading_desk", reading_desk.MESSAGES),
    ("comparison", comparison.MESSAGES),
    ("input_safety", input_safety.MESSAGES),
    ("outputs", outputs.MESSAGES),
)
