#!/usr/bin/env python3
"""Trains the pair head of the segment ranker on frozen all-MiniLM-L6-v2 vectors, the cheap alternative to
fine-tuning the encoder (train_minilm_ranker.py), which fell to chance on the dev set's human judgments.

  /usr/bin/python3 models/train_segment_head.py --out models/build/seg-head            # features, then a grid
  /usr/bin/python3 models/train_segment_head.py --out models/build/seg-head --export models/minilm-ranker \
      --config human-wd1e-2                                                               # write head.bin

Every text is encoded once, alone, exactly as the Java SegmentScoring encodes it (PairLayout's cuts: the source
segment without its prefix token, each candidate cut to the room the source leaves), with the fp32 PyTorch copy of
the shipped encoder; the vectors are cached in --out/features-S-C.pt, so a rerun only trains. The head is the
shipped one,

    g(s, c) = scale * cos(s, c) + w2 . tanh(W1 [s; c; s * c] + b1) + b2,   logit(a, b) = g(s, a) - g(s, b),

started at zero-shot (w2 = 0, b2 = 0, scale = 20), trained with the pairwise logistic loss on p_a, each source's
longer-wins and shorter-wins pairs weighted equally (as train_minilm_ranker.py), the 40 held-out Arena-Hard prompts
kept out. Each grid entry is scored on every dev pair (ties excluded, and ties counted half) after each epoch; the
best epoch by dev accuracy is kept (dev is the project's selection set; no public test set is read). Writes
--out/grid.json with the curve of every entry. --export writes the chosen entry's head.bin into an existing segment
ranker directory (the encoder stays as it is) and updates files.json.
"""
import argparse
import gzip
import hashlib
import json
import os
import sys
import time

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from minilm_common import PREFIXES, PairLayout, WordPiece, find_jar, load_minilm, pad_batch, ranker_tokenizer_json, read_jar  # noqa
from export_segment_ranker import SegmentEncoder  # noqa
from train_minilm_ranker import holdout_groups, length_weights  # noqa

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "shared", "data", "preferences")
SEED = 20261203
HUMAN = ("oasst", "hh-rlhf")

# name -> (sources, weight decay, epochs, hidden-layer dropout, learning rate)
GRID = {
    "all-wd1e-2": (None, 1e-2, 30, 0.1, 1e-3),
    "all-wd1e-1": (None, 1e-1, 30, 0.1, 1e-3),
    "human-wd1e-2": (HUMAN, 1e-2, 60, 0.1, 1e-3),
    "human-wd1e-1": (HUMAN, 1e-1, 60, 0.1, 1e-3),
    "arena-wd1e-2": (("arena-bench",), 1e-2, 30, 0.1, 1e-3),
}


def read_rows(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


class Texts:
    """Token ids of every text a pair needs, cut as SegmentScoring cuts them, and one vector per distinct id list."""

    def __init__(self, layout):
        self.layout = layout
        self.index = {}
        self.ids = []
        self.seg_cache = {}
        self.body_cache = {}

    def _id(self, toks):
        key = tuple(toks)
        i = self.index.get(key)
        if i is None:
            i = self.index[key] = len(self.ids)
            self.ids.append(toks)
        return i

    def pair(self, prompt, a, b):
        lay = self.layout
        seg = self.seg_cache.get(prompt)
        if seg is None:
            seg = self.seg_cache[prompt] = lay.source_segment(prompt)
        room = max(0, lay.cmax + (lay.smax - len(seg)) // 2 - 3)
        out = [self._id([seg[0]] + seg[2:])]
        for text in (a, b):
            body = self.body_cache.get(text)
            if body is None:
                body = self.body_cache[text] = lay.candidate_body(text)
            out.append(self._id([lay.cls] + body[:room] + [lay.sep]))
        return out

    def encode(self, encoder, batch=32):
        order = sorted(range(len(self.ids)), key=lambda i: len(self.ids[i]))
        vectors = torch.zeros(len(self.ids), 384)
        start = time.time()
        with torch.no_grad():
            for k in range(0, len(order), batch):
                chunk = order[k:k + batch]
                ids, mask = pad_batch([self.ids[i] for i in chunk], self.layout.pad)
                vectors[chunk] = encoder(ids, mask)
                if (k // batch) % 50 == 0:
                    print("  encoded %d/%d texts, %.0f s" % (k + len(chunk), len(order), time.time() - start),
                          flush=True)
        return vectors


class Head(nn.Module):
    def __init__(self, hidden=384, dropout=0.0):
        super().__init__()
        self.scale = nn.Parameter(torch.tensor(20.0))
        self.w1 = nn.Linear(3 * hidden, hidden)
        self.w2 = nn.Linear(hidden, 1)
        nn.init.zeros_(self.w2.weight)
        nn.init.zeros_(self.w2.bias)
        self.dropout = nn.Dropout(dropout)

    def g(self, s, c):
        h = self.dropout(torch.tanh(self.w1(torch.cat([s, c, s * c], dim=1))))
        return self.scale * (s * c).sum(dim=1) + self.w2(h).squeeze(1)

    def forward(self, s, a, b):
        return self.g(s, a) - self.g(s, b)


def accuracy(head, vec, idx, p_a):
    """(accuracy without ties, with ties counted half) of logit signs against labels."""
    head.eval()
    with torch.no_grad():
        logit = head(vec[idx[:, 0]], vec[idx[:, 1]], vec[idx[:, 2]])
    decided = p_a != 0.5
    right = ((logit > 0) == (p_a > 0.5)) & decided
    no_ties = right.sum().item() / max(1, decided.sum().item())
    ties_half = (right.sum().item() + 0.5 * (~decided).sum().item()) / len(p_a)
    return no_ties, ties_half


def train(name, spec, vec, train_idx, train_p, train_w, train_src, dev, hold, log):
    sources, wd, epochs, dropout, lr = spec
    keep = torch.ones(len(train_p), dtype=torch.bool) if sources is None else torch.tensor(
        [s in sources for s in train_src])
    idx, p, w = train_idx[keep], train_p[keep], train_w[keep]
    torch.manual_seed(SEED)
    head = Head(dropout=dropout)
    opt = torch.optim.AdamW(head.parameters(), lr=lr, weight_decay=wd)
    curve = []
    acc0 = accuracy(head, vec, *dev)
    curve.append({"epoch": 0, "dev": acc0[0], "dev_ties_half": acc0[1], "holdout": accuracy(head, vec, *hold)[0]})
    best = (acc0[0], 0, {k: v.clone() for k, v in head.state_dict().items()})
    for epoch in range(1, epochs + 1):
        head.train()
        perm = torch.randperm(len(p))
        total = 0.0
        for k in range(0, len(perm), 64):
            b = perm[k:k + 64]
            logit = head(vec[idx[b, 0]], vec[idx[b, 1]], vec[idx[b, 2]])
            loss = (nn.functional.binary_cross_entropy_with_logits(logit, p[b], reduction="none") * w[b]).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(b)
        d = accuracy(head, vec, *dev)
        h = accuracy(head, vec, *hold)[0]
        curve.append({"epoch": epoch, "loss": total / len(p), "dev": d[0], "dev_ties_half": d[1], "holdout": h})
        if d[0] > best[0]:
            best = (d[0], epoch, {k: v.clone() for k, v in head.state_dict().items()})
    log("%-14s pairs %5d  best epoch %2d  dev %.4f  (epoch 0: %.4f)  last: dev %.4f holdout %.4f loss %.4f"
        % (name, len(p), best[1], best[0], acc0[0], curve[-1]["dev"], curve[-1]["holdout"], curve[-1]["loss"]))
    return best, curve


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--source-max", type=int, default=64)
    ap.add_argument("--candidate-max", type=int, default=128)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--config", help="with --export: the grid entry to export")
    ap.add_argument("--export", help="a segment ranker directory whose head.bin is replaced")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)

    train_rows = read_rows(os.path.join(DATA, "train.jsonl.gz"))
    dev_rows = read_rows(os.path.join(DATA, "dev.jsonl"))
    held = holdout_groups(train_rows, 40)
    fit = [r for r in train_rows if r["group"] not in held]
    hold = [r for r in train_rows if r["group"] in held]

    _, base_tok = read_jar(find_jar(None))
    tok = WordPiece(ranker_tokenizer_json(base_tok))
    layout = PairLayout(tok, args.source_max, args.candidate_max)
    texts = Texts(layout)
    fit_idx = torch.tensor([texts.pair(r["prompt"], r["response_a"], r["response_b"]) for r in fit])
    hold_idx = torch.tensor([texts.pair(r["prompt"], r["response_a"], r["response_b"]) for r in hold])
    dev_idx = torch.tensor([texts.pair(r["prompt"], r["response_a"], r["response_b"]) for r in dev_rows])
    cache = os.path.join(args.out, "features-%d-%d.pt" % (args.source_max, args.candidate_max))
    cached = torch.load(cache) if os.path.exists(cache) else None
    if cached is not None and cached["count"] == len(texts.ids):
        vec = cached["vectors"]
        print("vectors from", cache)
    else:
        print("encoding %d distinct texts" % len(texts.ids), flush=True)
        bert = load_minilm(read_jar(find_jar(None))[0], extra_tokens=len(PREFIXES))
        vec = texts.encode(SegmentEncoder(bert).eval())
        torch.save({"count": len(texts.ids), "vectors": vec}, cache)

    lines = []

    def log(s):
        print(s, flush=True)
        lines.append(s)

    fit_p = torch.tensor([float(r["p_a"]) for r in fit])
    fit_w = torch.tensor(length_weights(fit))
    dev = (dev_idx, torch.tensor([float(r["p_a"]) for r in dev_rows]))
    holdout = (hold_idx, torch.tensor([float(r["p_a"]) for r in hold]))
    names = [args.config] if args.config else list(GRID)
    results = {}
    for name in names:
        best, curve = train(name, GRID[name], vec, fit_idx, fit_p, fit_w, [r["source"] for r in fit], dev, holdout,
                            log)
        results[name] = {"best_epoch": best[1], "dev": best[0], "curve": curve}
        if args.export and name == args.config:
            export(best[2], args.export)
    with open(os.path.join(args.out, "grid.json" if not args.config else "run-%s.json" % args.config), "w") as f:
        json.dump({"budgets": [args.source_max, args.candidate_max], "seed": SEED, "results": results}, f, indent=1)


def export(state, directory):
    head_file = os.path.join(directory, "head.bin")
    parts = [state["scale"].reshape(1), state["w1.weight"], state["w1.bias"], state["w2.weight"].reshape(-1),
             state["w2.bias"].reshape(1)]
    with open(head_file, "wb") as f:
        for part in parts:
            f.write(part.detach().float().numpy().astype("<f4").tobytes())
    files_json = os.path.join(directory, "files.json")
    with open(files_json) as f:
        files = json.load(f)
    with open(head_file, "rb") as f:
        data = f.read()
    files["files"]["head.bin"] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    with open(files_json, "w") as f:
        json.dump(files, f, indent=1)
        f.write("\n")
    print("wrote", head_file)


if __name__ == "__main__":
    main()
