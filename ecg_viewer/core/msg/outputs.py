"""Message texts for all-or-nothing outputs, batch, audit trail, the window's notice area.

key -> (Japanese, English); merged into :data:`ecg_viewer.core.messages.MESSAGES`.
"""

MESSAGES: dict[str, tuple[str, str]] = {}
