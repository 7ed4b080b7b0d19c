#!/usr/bin/env python3
"""Trains the pointwise cross-encoder reward ranker (models/reward_common.py) on pair data in the common format
(../shared/data/preferences/README.md), Bradley-Terry loss: -[p log s(r_a - r_b) + (1-p) log s(r_b - r_a)].

Resumable: every --checkpoint-every steps the model, optimizer, schedule, step and random state go to
RUN/last.pt (RUN defaults to ~/.cache/blender-train/NAME, outside the work tree); rerunning the same command
continues from there. Every evaluation appends a line to RUN/log.jsonl; the best by the dev macro mean (decided
pairs, mean over sources) goes to RUN/best.pt.

  /usr/bin/python3 models/train_reward_ranker.py --name minilm-r1 --backbone minilm \
      --train models/build/corpus/train.jsonl --dev models/build/corpus/dev.jsonl

Sampling: each step draws pairs from sources with probability proportional to sqrt(pairs in the source) (so big
sources do not drown small ones), uniformly within a source. Natural label balance: no length re-weighting; the
head sees the length features and starts from "the longer answer wins".

--eval-only RUN/best.pt (or 'init' for the untrained model) scores the dev file and prints the table.
"""
import argparse
import hashlib
import json
import math
import os
import random
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from minilm_common import WordPiece  # noqa: E402
from reward_common import (RewardModel, length_features, load_bert, read_backbone, row,  # noqa: E402
                           set_length_weight, token_ids)


def sha(s):
    return hashlib.sha256(s.encode("utf-8")).hexdigest()


def read_jsonl(path):
    import gzip
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


class Texts:
    """Token ids of each distinct text, cut generously at tokenization (the slow pure-Python part), cached on disk."""

    def __init__(self, tok, cache_path, limit=2048):
        self.tok = tok
        self.limit = limit
        self.path = cache_path
        self.ids = {}
        if cache_path and os.path.exists(cache_path):
            self.ids = torch.load(cache_path)
        self.dirty = False

    def get(self, text):
        key = sha(text)[:24]
        got = self.ids.get(key)
        if got is None:
            ids = token_ids(self.tok, text)
            # keep head and tail so any cut of at most limit ids can be rebuilt
            if len(ids) > self.limit:
                ids = ids[: self.limit // 2] + ids[-self.limit // 2:]
            got = ids
            self.ids[key] = got
            self.dirty = True
        return got

    def save(self):
        if self.dirty and self.path:
            tmp = self.path + ".tmp"
            torch.save(self.ids, tmp)
            os.replace(tmp, self.path)
            self.dirty = False


def batch_tensors(items, texts, cls_id, sep_id, pad_id, pmax, amax):
    """items: list of (prompt, answer); returns ids, mask, features."""
    rows, feats = [], []
    for prompt, answer in items:
        rows.append(row(cls_id, sep_id, texts.get(prompt), texts.get(answer), pmax, amax))
        feats.append(length_features(prompt, answer))
    t = max(len(r) for r in rows)
    ids = torch.full((len(rows), t), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), t), dtype=torch.long)
    for i, r in enumerate(rows):
        ids[i, : len(r)] = torch.tensor(r, dtype=torch.long)
        mask[i, : len(r)] = 1
    return ids, mask, torch.tensor(feats, dtype=torch.float32)


def rewards(model, items, texts, ids_of, pmax, amax, batch=32):
    """Rewards of (prompt, answer) items, sorted by length into batches."""
    order = sorted(range(len(items)), key=lambda i: len(items[i][1]))
    out = [0.0] * len(items)
    with torch.no_grad():
        for s in range(0, len(order), batch):
            idx = order[s: s + batch]
            ids, mask, f = batch_tensors([items[i] for i in idx], texts, *ids_of, pmax, amax)
            r = model(ids, mask, f)
            for k, i in enumerate(idx):
                out[i] = float(r[k])
    return out


def evaluate(model, dev, texts, ids_of, pmax, amax, dump=None):
    """The dev table (see pair_table) of the model's rewards; with dump, also one JSON line per pair there."""
    model.eval()
    items, index = [], {}
    for r in dev:
        for side in ("response_a", "response_b"):
            key = (r["prompt"], r[side])
            if key not in index:
                index[key] = len(items)
                items.append(key)
    rw = rewards(model, items, texts, ids_of, pmax, amax)
    model.train()
    if dump:
        u = model.head.u.detach().tolist()
        with open(dump, "w") as fh:
            for r in dev:
                ra, rb = rw[index[(r["prompt"], r["response_a"])]], rw[index[(r["prompt"], r["response_b"])]]
                fa, fb = length_features(r["prompt"], r["response_a"]), length_features(r["prompt"], r["response_b"])
                fh.write(json.dumps({"id": r["id"], "group": r.get("group", r["prompt"][:200]), "source": r["source"],
                                     "label": r["label"], "r_a": ra, "r_b": rb,
                                     "len_a": sum(x * y for x, y in zip(u, fa)),
                                     "len_b": sum(x * y for x, y in zip(u, fb)), "f_a": fa, "f_b": fb}) + "\n")
    return pair_table(dev, lambda p, a: rw[index[(p, a)]])


def pair_table(dev, score):
    """score(prompt, answer) -> float. Per source: accuracy on decided pairs (a tie of scores counts half), with the
    source's ties counted half, on the pairs where the shorter answer won, and 'longer wins' on the same pairs. Macro
    means over sources."""
    per = {}
    for r in dev:
        a, b = score(r["prompt"], r["response_a"]), score(r["prompt"], r["response_b"])
        s = per.setdefault(r["source"], {"n": 0, "ok": 0.0, "ties": 0, "half": 0.0, "short_n": 0, "short_ok": 0,
                                         "longer": 0.0})
        if r["label"] == "tie":
            s["ties"] += 1
            s["half"] += 0.5
            continue
        a_won = r["label"] == "a"
        ok = 0.5 if a == b else (1.0 if (a > b) == a_won else 0.0)
        s["n"] += 1
        s["ok"] += ok
        s["half"] += ok
        la, lb = len(r["response_a"]), len(r["response_b"])
        if la != lb:
            longer_a = la > lb
            s["longer"] += 1.0 if longer_a == a_won else 0.0
            if longer_a != a_won:
                s["short_n"] += 1
                s["short_ok"] += ok
        else:
            s["longer"] += 0.5
    table = {}
    for src, s in sorted(per.items()):
        table[src] = {"pairs": s["n"], "ties": s["ties"], "acc": s["ok"] / max(1, s["n"]),
                      "acc_ties_half": s["half"] / max(1, s["n"] + s["ties"]),
                      "shorter_won_pairs": s["short_n"], "acc_shorter_won": s["short_ok"] / max(1, s["short_n"]),
                      "longer_wins": s["longer"] / max(1, s["n"])}
    macro = {k: sum(t[k] for t in table.values()) / len(table)
             for k in ("acc", "acc_ties_half", "acc_shorter_won", "longer_wins")}
    return {"macro": macro, "sources": table}


def print_table(res, out=sys.stdout):
    print("%-22s %6s %5s %7s %9s %10s %8s" % ("source", "pairs", "ties", "acc", "ties-half", "short-won", "longer"),
          file=out)
    for src, t in res["sources"].items():
        print("%-22s %6d %5d %7.3f %9.3f %10.3f %8.3f" % (src, t["pairs"], t["ties"], t["acc"], t["acc_ties_half"],
                                                          t["acc_shorter_won"], t["longer_wins"]), file=out)
    m = res["macro"]
    print("%-22s %6s %5s %7.3f %9.3f %10.3f %8.3f" % ("MACRO", "", "", m["acc"], m["acc_ties_half"],
                                                       m["acc_shorter_won"], m["longer_wins"]), file=out)


def sample_dev(dev, per_source, seed):
    by = {}
    for r in dev:
        by.setdefault(r["source"], []).append(r)
    out = []
    for src, rows in sorted(by.items()):
        rows = sorted(rows, key=lambda r: sha(str(seed) + r["id"]))
        out.extend(rows[:per_source])
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--name", required=True)
    ap.add_argument("--run-dir", default=None, help="default ~/.cache/blender-train/NAME")
    ap.add_argument("--backbone", default="minilm", choices=["minilm", "bge-en", "bge-zh"])
    ap.add_argument("--train", default="models/build/corpus/train.jsonl")
    ap.add_argument("--dev", default="models/build/corpus/dev.jsonl")
    ap.add_argument("--prompt-max", type=int, default=64)
    ap.add_argument("--answer-max", type=int, default=128)
    ap.add_argument("--batch", type=int, default=16, help="pairs per step (2x answers)")
    ap.add_argument("--lr", type=float, default=3e-5)
    ap.add_argument("--head-lr", type=float, default=1e-3)
    ap.add_argument("--freeze-layers", type=int, default=3, help="embeddings and the lowest N layers stay fixed")
    ap.add_argument("--steps", type=int, default=3000, help="schedule length (linear decay after warm-up)")
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--eval-every", type=int, default=150)
    ap.add_argument("--dev-per-source", type=int, default=100, help="dev pairs per source at each evaluation")
    ap.add_argument("--checkpoint-every", type=int, default=10)
    ap.add_argument("--max-minutes", type=float, default=1e9, help="stop (resumably) after this long")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=20261206)
    ap.add_argument("--dropout", type=float, default=0.0, help="dropout in the encoder while training (0: off, "
                    "which measured about 17%% of a CPU step)")
    ap.add_argument("--source-weight", default="mmlu-pro=0.5,gsm8k-solutions=0.5,zeroeval-gsm=0.5",
                    help="multipliers on the sqrt-size sampling weights, e.g. 'mmlu-pro=0.5,oasst=2'")
    ap.add_argument("--init-from", default=None, help="a checkpoint whose model weights a new run starts from "
                    "(ignored when the run resumes)")
    ap.add_argument("--fixed-length-weight", type=float, default=None,
                    help="hold the head's length weights at (A, 0) instead of learning them: the encoder and the "
                         "rest of the head learn what length does not explain, on top of A times f0")
    ap.add_argument("--eval-only", default=None, help="a checkpoint path, or 'init'")
    ap.add_argument("--eval-full", action="store_true", help="with --eval-only: the whole dev file")
    ap.add_argument("--dump", default=None, help="with --eval-only: write one JSON line per dev pair (id, group, "
                    "source, label, the two rewards, the head's length part of each) to this file")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    run = args.run_dir or os.path.expanduser("~/.cache/blender-train/" + args.name)
    os.makedirs(run, exist_ok=True)
    onnx_bytes, tok_json, heads, jar = read_backbone(args.backbone)
    tok = WordPiece(tok_json)
    cls_id, sep_id, pad_id = tok.vocab["[CLS]"], tok.vocab["[SEP]"], tok.vocab["[PAD]"]
    ids_of = (cls_id, sep_id, pad_id)
    bert = load_bert(onnx_bytes, heads, sep_id)
    hidden = bert.word.weight.shape[1]
    model = RewardModel(bert, hidden)
    for mod in model.modules():
        if isinstance(mod, torch.nn.Dropout):
            mod.p = args.dropout
    texts = Texts(tok, os.path.expanduser("~/.cache/blender-train/tokens-%s.pt" % args.backbone))

    dev_all = read_jsonl(args.dev)
    if args.eval_only:
        if args.eval_only != "init":
            model.load_state_dict(torch.load(args.eval_only)["model"])
        dev = dev_all if args.eval_full else sample_dev(dev_all, args.dev_per_source, args.seed)
        res = evaluate(model, dev, texts, ids_of, args.prompt_max, args.answer_max, args.dump)
        texts.save()
        print_table(res)
        print(json.dumps(res))
        return
    dev = sample_dev(dev_all, args.dev_per_source, args.seed)

    train = [r for r in read_jsonl(args.train) if r["label"] in ("a", "b") or 0.0 < r["p_a"] < 1.0]
    by_source = {}
    for r in train:
        by_source.setdefault(r["source"], []).append(r)
    sources = sorted(by_source)
    mult = {}
    for part in filter(None, args.source_weight.split(",")):
        k, _, v = part.partition("=")
        mult[k.strip()] = float(v)
    probs = [math.sqrt(len(by_source[s])) * mult.get(s, 1.0) for s in sources]
    total = sum(probs)
    probs = [p / total for p in probs]
    print("train: %d pairs; sources %s" % (len(train), {s: (len(by_source[s]), round(p, 3))
                                                          for s, p in zip(sources, probs)}), flush=True)

    for p in model.bert.word.parameters():
        p.requires_grad = False
    for p in list(model.bert.position.parameters()) + list(model.bert.token_type.parameters()) + \
            list(model.bert.emb_norm.parameters()):
        p.requires_grad = False
    for layer in model.bert.layers[: args.freeze_layers]:
        for p in layer.parameters():
            p.requires_grad = False
    enc_params = [p for p in model.bert.parameters() if p.requires_grad]
    if args.init_from and not os.path.exists(os.path.join(run, "last.pt")):
        model.load_state_dict(torch.load(args.init_from)["model"])
        print("starting from the weights of %s" % args.init_from, flush=True)
    head_params = list(model.head.parameters())
    if args.fixed_length_weight is not None:
        set_length_weight(model, args.fixed_length_weight)
        model.head.u.requires_grad = False
        head_params = [p for p in head_params if p is not model.head.u]
    opt = torch.optim.AdamW([{"params": enc_params, "lr": args.lr},
                             {"params": head_params, "lr": args.head_lr}], weight_decay=0.01)
    base_lrs = [args.lr, args.head_lr]

    rng = random.Random(args.seed)
    torch.manual_seed(args.seed)
    step, best = 0, -1.0
    last = os.path.join(run, "last.pt")
    if os.path.exists(last):
        ck = torch.load(last)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        step, best = ck["step"], ck["best"]
        rng.setstate(ck["rng"])
        torch.set_rng_state(ck["torch_rng"])
        print("resumed at step %d (best %.4f)" % (step, best), flush=True)
    else:
        with open(os.path.join(run, "args.json"), "w") as fh:
            json.dump(vars(args), fh, indent=1)
    log = open(os.path.join(run, "log.jsonl"), "a")

    def save(path):
        tmp = path + ".tmp"
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "step": step, "best": best,
                    "rng": rng.getstate(), "torch_rng": torch.get_rng_state(), "args": vars(args)}, tmp)
        os.replace(tmp, path)

    def do_eval():
        nonlocal best
        t0 = time.time()
        res = evaluate(model, dev, texts, ids_of, args.prompt_max, args.answer_max)
        texts.save()
        line = {"step": step, "time": time.time(), "eval_s": round(time.time() - t0, 1), **res}
        log.write(json.dumps(line) + "\n")
        log.flush()
        print("step %d dev macro acc %.4f (ties half %.4f, shorter-won %.4f) %s" % (
            step, res["macro"]["acc"], res["macro"]["acc_ties_half"], res["macro"]["acc_shorter_won"],
            {s: round(t["acc"], 3) for s, t in res["sources"].items()}), flush=True)
        if res["macro"]["acc"] > best:
            best = res["macro"]["acc"]
            save(os.path.join(run, "best.pt"))

    if step == 0:
        do_eval()
        save(last)
    started = time.time()
    model.train()
    losses, t_steps = [], time.time()
    while step < args.steps:
        if (time.time() - started) / 60.0 > args.max_minutes:
            print("stopping after %.1f minutes at step %d (resume with the same command)" % (
                (time.time() - started) / 60.0, step), flush=True)
            break
        pairs = []
        for _ in range(args.batch):
            s = rng.choices(sources, probs)[0]
            pairs.append(by_source[s][rng.randrange(len(by_source[s]))])
        items = [(r["prompt"], r["response_a"]) for r in pairs] + [(r["prompt"], r["response_b"]) for r in pairs]
        ids, mask, f = batch_tensors(items, texts, *ids_of, args.prompt_max, args.answer_max)
        scale = min(1.0, (step + 1) / args.warmup) * max(0.0, (args.steps - step) / max(1, args.steps - args.warmup))
        for g, lr in zip(opt.param_groups, base_lrs):
            g["lr"] = lr * min(1.0, scale)
        r = model(ids, mask, f)
        d = r[: len(pairs)] - r[len(pairs):]
        p = torch.tensor([x["p_a"] for x in pairs], dtype=torch.float32)
        loss = -(p * torch.nn.functional.logsigmoid(d) + (1 - p) * torch.nn.functional.logsigmoid(-d)).mean()
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        losses.append(float(loss))
        if step % 10 == 0:
            print("step %d loss %.4f (%.2f s/step)" % (step, sum(losses[-10:]) / 10,
                                                        (time.time() - t_steps) / 10), flush=True)
            t_steps = time.time()
        if step % args.checkpoint_every == 0:
            texts.save()
            save(last)
        if step % args.eval_every == 0 or step == args.steps:
            do_eval()
            save(last)
    texts.save()
    save(last)
    log.close()


if __name__ == "__main__":
    main()
