"""Message texts for ECG criteria features, evidence and rhythm consistency (signal/criteria, labels/).

key -> (Japanese, English); merged into :data:`ecg_viewer.core.messages.MESSAGES`.
"""

MESSAGES: dict[str, tuple[str, str]] = {}
