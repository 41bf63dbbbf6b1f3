"""The clinician's review of an ECG, stored in SQLite in the user's data folder (Qt-free)."""

from ecg_viewer.review.model import CONFIRMED, REJECTED, Annotation, Review
from ecg_viewer.review.store import (
    DATA_DIR_ENV,
    AuditContext,
    AuditEntry,
    ReviewStore,
    ReviewStoreError,
    default_db_path,
)

__all__ = [
    "CONFIRMED",
    "DATA_DIR_ENV",
    "REJECTED",
    "Annotation",
    "AuditContext",
    "AuditEntry",
    "Review",
    "ReviewStore",
    "ReviewStoreError",
    "default_db_path",
]
