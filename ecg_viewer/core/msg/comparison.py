"""Message texts for the comparison with the patient's prior ECG.

key -> (Japanese, English); merged into :data:`ecg_viewer.core.messages.MESSAGES`.
"""

MESSAGES: dict[str, tuple[str, str]] = {}
