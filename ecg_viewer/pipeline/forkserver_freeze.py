"""Imported last by the batch's fork server (:data:`ecg_viewer.pipeline.batch.WORKER_PRELOAD`),
once the modules it preloads are in: freezes the garbage collector's view of their objects
(``gc.freeze()`` before ``fork()``, as Python's gc documentation advises), so that the workers
forked from the server neither walk those objects in their collections nor copy the pages a
collection would write to, and the server's own exit does not collect them (~0.2 s of a run).
Nothing else imports this module."""

import gc

gc.freeze()
