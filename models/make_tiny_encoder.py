#!/usr/bin/python3
"""Makes a random sentence-encoder directory for blender-router's TorchScriptEncoder tests.

Run by hand with Debian's python3-torch (1.13) and python3-regex, from the repository root:

    /usr/bin/python3 models/make_tiny_encoder.py

It writes models/encoder/, the format TorchScriptEncoder loads (the shape of an exported mDeBERTa or any
Hugging Face encoder):
  encoder.pt            TorchScript: forward(input_ids int64[B,T], attention_mask int64[B,T]) -> float32[B,T,32],
                        the last hidden states of a 2-layer post-LN transformer (random weights)
  tokenizer.json        the PairRanker fixture's byte-level BPE tokenizer (models/pairranker/tokenizer.json,
                        copied), whose post-processor wraps a query as [CLS] ... [SEP]
  encoder_config.json   format, id, files, dimension 32, max_tokens 24 (short, so tests reach the cut),
                        mean pooling, L2 normalisation, no token type ids
  golden.json           queries, the ids this script's own encoder gives them (independent of the Java side)
                        and the pooled, normalised vectors this model gives those ids: the Java test checks both.
"""
import json
import os
import shutil
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_tiny_pairranker import BpeTokenizer, Layer  # noqa: E402  (the fixture's tokenizer and layer)

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "encoder")
HIDDEN, LAYERS, HEADS, FFN, MAX_TOKENS = 32, 2, 4, 64, 24
QUERIES = [
    "What is 12 plus 30?",
    "Janet's ducks lay 16 eggs per day.",
    "",
    "日本語の質問です 😀",
    "A long question that goes on and on about apples, pears, plums and cherries until it is cut short.",
    "[SEP] in the middle [CLS] of a query",
]


class Encoder(nn.Module):
    def __init__(self, vocab_size):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, HIDDEN)
        self.positions = nn.Embedding(MAX_TOKENS, HIDDEN)
        self.ln = nn.LayerNorm(HIDDEN)
        self.layers = nn.ModuleList([Layer(HIDDEN, HEADS, FFN) for _ in range(LAYERS)])

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        b, t = input_ids.shape
        pos = torch.arange(t, device=input_ids.device).unsqueeze(0)
        x = self.ln(self.embed(input_ids) + self.positions(pos))
        bias = (1.0 - attention_mask.to(x.dtype)).view(b, 1, 1, t) * -10000.0
        for layer in self.layers:
            x = layer(x, bias)
        return x


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(20261121)
    with open(os.path.join(HERE, "pairranker", "tokenizer.json"), encoding="utf-8") as f:
        tj = json.load(f)
    shutil.copyfile(os.path.join(HERE, "pairranker", "tokenizer.json"), os.path.join(OUT, "tokenizer.json"))
    vocab = tj["model"]["vocab"]
    merges = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in tj["model"]["merges"]]
    added = {t["content"]: t["id"] for t in tj["added_tokens"]}
    vocab_size = max(list(vocab.values()) + list(added.values())) + 1
    tok = BpeTokenizer(vocab, merges, added)
    cls, sep = added["[CLS]"], added["[SEP]"]

    model = Encoder(vocab_size).eval()
    scripted = torch.jit.script(model)
    scripted.save(os.path.join(OUT, "encoder.pt"))
    config = {"format": "blender-encoder/1", "id": "random-encoder-tiny", "model_file": "encoder.pt",
              "tokenizer_file": "tokenizer.json", "dimension": HIDDEN, "max_tokens": MAX_TOKENS,
              "pooling": "mean", "normalize": True, "token_type_ids": False}
    with open(os.path.join(OUT, "encoder_config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2)

    golden = []
    with torch.no_grad():
        for q in QUERIES:
            ids = [cls] + tok.encode(q)[:MAX_TOKENS - 2] + [sep]
            hidden = scripted(torch.tensor([ids]), torch.ones(1, len(ids), dtype=torch.long))[0]
            vec = hidden.mean(dim=0)
            vec = vec / vec.norm().clamp_min(1e-12)
            golden.append({"query": q, "input_ids": ids, "vector": [float(v) for v in vec]})
    with open(os.path.join(OUT, "golden.json"), "w", encoding="utf-8") as f:
        json.dump({"note": "made by models/make_tiny_encoder.py; ids from its own BPE encoder", "examples": golden},
                  f, indent=1, ensure_ascii=False)
    print(f"wrote {OUT}: vocab {vocab_size}, dimension {HIDDEN}, max_tokens {MAX_TOKENS}")


if __name__ == "__main__":
    main()
