#!/usr/bin/env python3
"""Exports LLM-Blender's PairRM (llm-blender/PairRM-hf) to the directory blender-ranker loads.

Run on a machine with network access (or a local copy of the checkpoint):

    pip install torch transformers sentencepiece protobuf git+https://github.com/yuchenlin/LLM-Blender.git
    python models/export_pairrm.py --out models/build/pairrm            # fp32, runs on CPU
    python models/export_pairrm.py --out models/build/pairrm --fp16     # also an fp16 file, needs CUDA

Writes:
  pairranker.pt         TorchScript (traced): forward(input_ids int64[B,T], attention_mask int64[B,T]) -> float32[B]
  pairranker-fp16.pt    (--fp16) the same traced in fp16 on the GPU, used by PairRanker on GPUs
  tokenizer.json        the fast DeBERTa-v3 tokenizer with PairRM's four added prefix tokens
  ranker_config.json    our config: PairRM layout, tokens, budgets 1224 / 412, vocab size
  golden.json           pair encodings made here with the Hugging Face tokenizer and the logits of the
                        Python model, for blender-ranker's opt-in parity test:
                        mvn -pl blender-ranker test -Dtest=RealPairRmTest -Dblender.pairrm.dir=$PWD/models/build/pairrm

Checks before writing golden.json, and fails loudly otherwise: the Python model gives the golden logits of
the LLM-Blender model card ([1.9003, -1.2547]) and ranks; the traced module agrees with the Python model
(within 1e-4) on shapes other than the one it was traced with.
"""
import argparse
import json
import os

import torch

SOURCE_MAX, CANDIDATE_MAX = 1224, 412
PREFIXES = ["<|source|>", "<|candidate1|>", "<|candidate2|>", "<|candidate|>"]
GOLDEN_PAIRS = (["hello!", "I love you!"], ["hi!", "I hate you!"], ["f**k off!", "I love you, too!"])
GOLDEN_LOGITS = [1.9003, -1.2547]
GOLDEN_RANK = (["hello, how are you!", "I love you!"],
               [["get out!", "hi! I am fine, thanks!", "bye!"],
                ["I love you too!", "I hate you!", "Thanks! You're a good guy!"]],
               [[3, 1, 2], [1, 3, 2]])


def encode_pair(tokenizer, source, cand1, cand2):
    """The model card's tokenize_pair for one example, plus the SEP / prefix sanitising of the spec."""
    def clean(text):
        for tok in [tokenizer.sep_token] + PREFIXES:
            text = text.replace(tok, " ")
        return text

    source_ids = tokenizer.encode(PREFIXES[0] + clean(source), max_length=SOURCE_MAX, truncation=True)
    cap = CANDIDATE_MAX + (SOURCE_MAX - len(source_ids)) // 2
    c1 = tokenizer.encode(PREFIXES[1] + clean(cand1), max_length=cap, truncation=True)
    c2 = tokenizer.encode(PREFIXES[2] + clean(cand2), max_length=cap, truncation=True)
    return source_ids + c1 + c2


def padded(rows, pad_id, device):
    width = max(len(r) for r in rows)
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, r in enumerate(rows):
        ids[i, :len(r)] = torch.tensor(r)
        mask[i, :len(r)] = 1
    return ids.to(device), mask.to(device)


class LogitsOnly(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask):
        out = self.model(input_ids=input_ids, attention_mask=attention_mask)
        logits = out[0] if isinstance(out, tuple) else out.logits
        return logits.reshape(-1).float()


def max_logits_ranks(model, tokenizer, source, cands, device):
    n = len(cands)
    pairs = [(i, j) for i in range(n) for j in range(n) if i != j]
    ids, mask = padded([encode_pair(tokenizer, source, cands[i], cands[j]) for i, j in pairs],
                       tokenizer.pad_token_id, device)
    with torch.no_grad():
        logits = model(ids, mask).tolist()
    m = [[0.0] * n for _ in range(n)]
    for (i, j), v in zip(pairs, logits):
        m[i][j] = v
    scores = [sum(m[i][j] - m[j][i] for j in range(n)) / n for i in range(n)]
    ordered = sorted(scores, reverse=True)
    return [1 + ordered.index(s) for s in scores], m


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="llm-blender/PairRM-hf", help="hub id or local path of PairRM-hf")
    ap.add_argument("--out", required=True)
    ap.add_argument("--fp16", action="store_true", help="also trace an fp16 copy on CUDA")
    args = ap.parse_args()

    from llm_blender.pair_ranker.pairrm import DebertaV2PairRM
    from transformers import AutoTokenizer

    os.makedirs(args.out, exist_ok=True)
    tokenizer = AutoTokenizer.from_pretrained(args.model)
    model = DebertaV2PairRM.from_pretrained(args.model).eval()
    wrapped = LogitsOnly(model).eval()
    for tok in PREFIXES:
        assert tok in tokenizer.get_vocab(), f"tokenizer lacks {tok}"

    # The Python model on the model card's golden example (fp32, CPU).
    rows = [encode_pair(tokenizer, s, a, b) for s, a, b in zip(*GOLDEN_PAIRS)]
    ids, mask = padded(rows, tokenizer.pad_token_id, "cpu")
    with torch.no_grad():
        eager = wrapped(ids, mask).tolist()
    assert all(abs(e - g) < 1e-3 for e, g in zip(eager, GOLDEN_LOGITS)), f"golden logits {eager} != {GOLDEN_LOGITS}"
    for source, cands, ranks in zip(*GOLDEN_RANK):
        got, _ = max_logits_ranks(wrapped, tokenizer, source, cands, "cpu")
        assert got == ranks, f"golden ranks {got} != {ranks} for {source!r}"

    # Trace on one shape, check on others: shape-dependent code must not have been frozen.
    dummy = padded([encode_pair(tokenizer, "a question " * 9, "an answer " * 7, "another answer " * 5),
                    encode_pair(tokenizer, "q", "a", "b")], tokenizer.pad_token_id, "cpu")
    with torch.no_grad():
        traced = torch.jit.trace(wrapped, dummy, check_trace=False, strict=False)
        traced_logits = traced(ids, mask).tolist()
        single = [traced(*padded([r], tokenizer.pad_token_id, "cpu")).item() for r in rows]
    for e, t, s in zip(eager, traced_logits, single):
        assert abs(e - t) < 1e-4 and abs(e - s) < 1e-4, f"traced {t}/{s} differs from eager {e}"
    traced.save(os.path.join(args.out, "pairranker.pt"))

    config = {
        "format": "blender-pairranker/1",
        "name": "PairRM",
        "model_file": "pairranker.pt",
        "tokenizer_file": "tokenizer.json",
        "layout": "pairrm",
        "cls_token": tokenizer.cls_token, "sep_token": tokenizer.sep_token, "pad_token": tokenizer.pad_token,
        "source_prefix": PREFIXES[0], "candidate1_prefix": PREFIXES[1], "candidate2_prefix": PREFIXES[2],
        "candidate_prefix": PREFIXES[3],
        "source_max_length": SOURCE_MAX, "candidate_max_length": CANDIDATE_MAX,
        "vocab_size": model.get_input_embeddings().num_embeddings,
        "precision": "auto",
    }
    if args.fp16:
        assert torch.cuda.is_available(), "--fp16 traces on CUDA; no GPU found"
        half = LogitsOnly(DebertaV2PairRM.from_pretrained(args.model).eval().half().cuda()).eval()
        with torch.no_grad():
            traced16 = torch.jit.trace(half, tuple(t.cuda() for t in dummy), check_trace=False, strict=False)
            got = traced16(ids.cuda(), mask.cuda()).tolist()
        assert all(abs(g - e) < 5e-2 for g, e in zip(got, eager)), f"fp16 logits {got} far from fp32 {eager}"
        traced16.save(os.path.join(args.out, "pairranker-fp16.pt"))
        config["fp16_model_file"] = "pairranker-fp16.pt"
    tokenizer.backend_tokenizer.save(os.path.join(args.out, "tokenizer.json"))
    with open(os.path.join(args.out, "ranker_config.json"), "w") as f:
        json.dump(config, f, indent=2)

    examples = [{"source": s, "candidate1": a, "candidate2": b, "input_ids": r, "logit": l}
                for (s, a, b), r, l in zip(zip(*GOLDEN_PAIRS), rows, eager)]
    rankings = []
    for source, cands, ranks in zip(*GOLDEN_RANK):
        _, matrix = max_logits_ranks(wrapped, tokenizer, source, cands, "cpu")
        rankings.append({"source": source, "candidates": cands, "ranks": ranks, "matrix": matrix})
    with open(os.path.join(args.out, "golden.json"), "w") as f:
        json.dump({"note": "made by models/export_pairrm.py with the Python PairRM (fp32, CPU)",
                   "examples": examples, "rankings": rankings}, f, indent=1)
    print(f"wrote {args.out}; golden logits {eager}")


if __name__ == "__main__":
    main()
