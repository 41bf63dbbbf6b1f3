"""torch imported once, on the model lane, while the other lanes keep away from it.

scipy's array-API check reads ``sys.modules["torch"]``; on another lane a half-imported torch made
the measurements fail (QA 54: 「予期しないエラー（AttributeError）」 for about 3 s on every file under
500 Hz opened at start-up, from ``scipy.signal.resample_poly``). The model lane imports torch under
:data:`TORCH_IMPORT`; the measurements wait for it with :func:`torch_imported`.
"""

from __future__ import annotations

import threading

TORCH_IMPORT = threading.Lock()


def import_torch() -> None:
    """torch imported under :data:`TORCH_IMPORT` (nothing when it is not installed)."""
    with TORCH_IMPORT:
        try:
            import torch  # noqa: F401
        except ImportError:
            pass


def torch_imported() -> None:
    """Returns once no lane is importing torch."""
    with TORCH_IMPORT:
        pass
