"""Message texts for the reading desk: layouts, keyboard reading, comparison with the prior ECG.

key -> (Japanese, English); merged into :data:`ecg_viewer.core.messages.MESSAGES`.
"""

MESSAGES: dict[str, tuple[str, str]] = {}
