#!/usr/bin/env python3
"""The baselines of the ranker dev table, on the same dev file and with the same per-source scoring as
train_reward_ranker.py: a coin, "the longer answer wins", a feature regression (logistic regression on the
difference of two answers' features: log length, length ratio to the prompt, word overlap with the prompt,
refusal markers, list and code markers; fitted on the train file) and zero-shot MiniLM (today's shipped ranker:
the answer whose mean-pooled all-MiniLM-L6-v2 embedding is closer to the prompt's wins; --zero-shot-minilm).

  /usr/bin/python3 models/eval_baselines.py --train models/build/corpus/train.jsonl \
      --dev models/build/corpus/dev.jsonl --out models/build/eval/baselines.json [--zero-shot-minilm]
"""
import argparse
import json
import math
import os
import re
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train_reward_ranker import pair_table as score_pairs, print_table, read_jsonl  # noqa: E402

REFUSAL = re.compile(r"\b(i'?m sorry|i cannot|i can'?t|as an ai|i am not able|i'?m not able|i apologi[sz]e)\b", re.I)
WORD = re.compile(r"\w+")


def features(prompt, answer):
    la, lp = math.log1p(len(answer)), math.log1p(len(prompt))
    pw, aw = set(WORD.findall(prompt.lower())), WORD.findall(answer.lower())
    overlap = (sum(1 for w in aw if w in pw) / len(aw)) if aw else 0.0
    return [la, la - lp, overlap, float(len(REFUSAL.findall(answer)) > 0),
            math.log1p(answer.count("\n")), float("```" in answer),
            math.log1p(len(re.findall(r"(?m)^\s*(?:[-*]|\d+\.)\s", answer)))]


def fit_regression(train, l2=1.0, steps=300):
    xs, ys = [], []
    for r in train:
        if r["label"] not in ("a", "b"):
            continue
        fa, fb = features(r["prompt"], r["response_a"]), features(r["prompt"], r["response_b"])
        xs.append([x - y for x, y in zip(fa, fb)])
        ys.append(r["p_a"])
    x, y = torch.tensor(xs), torch.tensor(ys)
    sd = x.std(0).clamp(min=1e-6)
    w = torch.zeros(x.shape[1], requires_grad=True)
    opt = torch.optim.LBFGS([w], max_iter=steps)

    def closure():
        opt.zero_grad()
        z = (x / sd) @ w
        loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y) + l2 * (w * w).sum() / len(ys)
        loss.backward()
        return loss

    opt.step(closure)
    wv = (w.detach() / sd).tolist()
    return wv


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train", default="models/build/corpus/train.jsonl")
    ap.add_argument("--dev", default="models/build/corpus/dev.jsonl")
    ap.add_argument("--out", default="models/build/eval/baselines.json")
    ap.add_argument("--zero-shot-minilm", action="store_true")
    ap.add_argument("--zero-shot", default=None, choices=["bge-zh", "bge-en"],
                    help="also the zero-shot cosine of this BGE backbone (CLS pooling, as BGE embeds)")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    dev, train = read_jsonl(args.dev), read_jsonl(args.train)
    results = {}
    results["coin"] = score_pairs(dev, lambda p, a: 0.0)
    results["longer wins"] = score_pairs(dev, lambda p, a: len(a))
    w = fit_regression(train)
    results["feature regression"] = score_pairs(dev, lambda p, a: sum(x * y for x, y in zip(features(p, a), w)))
    results["feature regression"]["weights"] = w
    if args.zero_shot_minilm:
        from minilm_common import WordPiece
        from reward_common import read_backbone
        from minilm_common import load_minilm
        ob, tj, _, _ = read_backbone("minilm")
        tok = WordPiece(tj)
        bert = load_minilm(ob).eval()
        cache = {}

        def vec(text, limit):
            if (text, limit) not in cache:
                ids = [tok.vocab["[CLS]"]] + tok.encode(text, limit) + [tok.vocab["[SEP]"]]
                with torch.no_grad():
                    h = bert(torch.tensor([ids]), torch.ones(1, len(ids), dtype=torch.long))[0]
                cache[(text, limit)] = torch.nn.functional.normalize(h.mean(0), dim=0)
            return cache[(text, limit)]

        results["zero-shot MiniLM (today's ranker)"] = score_pairs(dev, lambda p, a: float(vec(p, 62) @ vec(a, 160)))
    if args.zero_shot:
        from minilm_common import WordPiece
        from reward_common import load_bert, read_backbone
        ob, tj, heads, _ = read_backbone(args.zero_shot)
        tok = WordPiece(tj)
        bert = load_bert(ob, heads, tok.vocab["[SEP]"]).eval()
        bert.pool = "cls"
        memo = {}

        def bvec(text, limit):
            if (text, limit) not in memo:
                ids = [tok.vocab["[CLS]"]] + tok.encode(text, limit) + [tok.vocab["[SEP]"]]
                with torch.no_grad():
                    h = bert(torch.tensor([ids]), torch.ones(1, len(ids), dtype=torch.long))[0]
                memo[(text, limit)] = torch.nn.functional.normalize(h, dim=0)
            return memo[(text, limit)]

        results["zero-shot %s cosine" % args.zero_shot] = score_pairs(
            dev, lambda p, a: float(bvec(p, 126) @ bvec(a, 254)))
    for name, res in results.items():
        print("\n== " + name)
        print_table(res)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as fh:
        json.dump(results, fh, indent=1)


if __name__ == "__main__":
    main()
