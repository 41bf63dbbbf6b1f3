"""Message texts for validating header numbers, bounded memory, fuzzing (io/).

key -> (Japanese, English); merged into :data:`ecg_viewer.core.messages.MESSAGES`.
"""

MESSAGES: dict[str, tuple[str, str]] = {}
