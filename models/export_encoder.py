#!/usr/bin/env python3
"""Exports a Hugging Face sentence encoder (e.g. microsoft/mdeberta-v3-base, the Zooter paper's router encoder) to
the directory blender-router's TorchScriptEncoder loads.

    python3 models/export_encoder.py --model microsoft/mdeberta-v3-base --out models/build/mdeberta \
        [--pooling mean|cls] [--max-tokens 512] [--no-normalize]

Needs torch, transformers and the Hugging Face hub (or a local model directory), once. Writes encoder.pt (traced:
forward(input_ids, attention_mask) -> last_hidden_state [B, T, H]), tokenizer.json (the fast tokenizer's),
encoder_config.json and golden.json (ids and pooled vectors from transformers, for a parity check on the Java side).
Before writing, it checks that the traced module agrees with the eager model on batches of other shapes, because
tracing can freeze shape-dependent code on some transformers versions. Not run where this project is built (no hub).
"""
import argparse
import json
import os

import torch
from transformers import AutoModel, AutoTokenizer

QUERIES = ["What is 12 plus 30?", "Write a haiku about rain.", "Wie spät ist es?", "日本語の質問です"]


class LastHidden(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask):
        return self.model(input_ids=input_ids, attention_mask=attention_mask, return_dict=False)[0]


def pool(hidden, mask, pooling, normalize):
    if pooling == "cls":
        vec = hidden[:, 0]
    else:
        m = mask.unsqueeze(-1).to(hidden.dtype)
        vec = (hidden * m).sum(1) / m.sum(1).clamp_min(1)
    return torch.nn.functional.normalize(vec, dim=-1) if normalize else vec


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--pooling", choices=["mean", "cls"], default="mean")
    ap.add_argument("--max-tokens", type=int, default=512)
    ap.add_argument("--no-normalize", action="store_true")
    args = ap.parse_args()
    normalize = not args.no_normalize
    os.makedirs(args.out, exist_ok=True)

    tok = AutoTokenizer.from_pretrained(args.model)
    if not tok.is_fast:
        raise SystemExit("needs a fast tokenizer (tokenizer.json) for the Java side")
    model = AutoModel.from_pretrained(args.model, torchscript=True).eval()
    wrapper = LastHidden(model).eval()
    example = tok(QUERIES[:2], padding=True, return_tensors="pt")
    with torch.no_grad():
        traced = torch.jit.trace(wrapper, (example["input_ids"], example["attention_mask"]), check_trace=False)
        for texts in (QUERIES, QUERIES[:1], [QUERIES[0] * 20, QUERIES[1]]):
            enc = tok(texts, padding=True, truncation=True, max_length=args.max_tokens, return_tensors="pt")
            eager = wrapper(enc["input_ids"], enc["attention_mask"])
            frozen = traced(enc["input_ids"], enc["attention_mask"])
            if not torch.allclose(eager, frozen, atol=1e-4):
                raise SystemExit("the traced module disagrees with the model on other shapes; not writing")
    traced.save(os.path.join(args.out, "encoder.pt"))
    tok.backend_tokenizer.save(os.path.join(args.out, "tokenizer.json"))
    dim = model.config.hidden_size
    config = {"format": "blender-encoder/1", "id": args.model.rstrip("/").split("/")[-1], "model_file": "encoder.pt",
              "tokenizer_file": "tokenizer.json", "dimension": dim, "max_tokens": args.max_tokens,
              "pooling": args.pooling, "normalize": normalize, "token_type_ids": False}
    with open(os.path.join(args.out, "encoder_config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2)
    golden = []
    with torch.no_grad():
        for q in QUERIES:
            enc = tok([q], truncation=True, max_length=args.max_tokens, return_tensors="pt")
            vec = pool(wrapper(enc["input_ids"], enc["attention_mask"]), enc["attention_mask"], args.pooling, normalize)
            golden.append({"query": q, "input_ids": enc["input_ids"][0].tolist(), "vector": vec[0].tolist()})
    with open(os.path.join(args.out, "golden.json"), "w", encoding="utf-8") as f:
        json.dump({"note": f"made by models/export_encoder.py from {args.model}", "examples": golden}, f, indent=1,
                  ensure_ascii=False)
    print(f"wrote {args.out}: dimension {dim}, pooling {args.pooling}, normalize {normalize}")


if __name__ == "__main__":
    main()
