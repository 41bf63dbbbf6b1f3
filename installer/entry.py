"""Entry point of the bundled ``ecg-viewer`` executable (PyInstaller runs this script).

The same as ``python -m ecg_viewer``; ``freeze_support`` lets ``batch --workers N`` start its
spawn workers from the frozen executable. ``ECG_VIEWER_BUNDLE_SELFTEST=text-encoder`` makes the
executable embed two texts with the bundled text encoder and print the vectors' summary as JSON
(``build_installer.py --check`` compares them with the source install; no command uses the
encoder headlessly otherwise).
"""

import json
import multiprocessing
import os
import sys

SELFTEST_TEXTS = ("心房細動", "洞調律、正常心電図")


def text_encoder_selftest() -> int:
    from ecg_viewer.model.text_encoder import TextEncoder

    enc = TextEncoder()
    vecs = enc.encode(list(SELFTEST_TEXTS))
    print(json.dumps({"model_id": enc.model_id, "dim": int(vecs.shape[1]),
                      "vectors": [[round(float(x), 6) for x in v] for v in vecs]}))
    return 0


if __name__ == "__main__":
    multiprocessing.freeze_support()
    if os.environ.get("ECG_VIEWER_BUNDLE_SELFTEST") == "text-encoder":
        sys.exit(text_encoder_selftest())
    from ecg_viewer.cli import main

    sys.exit(main())
