#!/usr/bin/env python3
"""Selection among many LLMs' answers: for each prompt of a MixInstruct file (data/arena-holdout.jsonl: 40
Arena-Hard prompts, 10-15 rated answers each), pick one answer and report the mean judge score of the picks.
Only rated candidates take part. Rows: oracle, best single LLM (the LLM with the best mean score on the file,
chosen with hindsight), random (the expected score of a uniform pick), longest, and each --checkpoint of
train_reward_ranker.py ('init' = the untrained model, which ranks by length).

  /usr/bin/python3 models/eval_selection.py --input data/arena-holdout.jsonl --checkpoint ~/.cache/blender-train/minilm-r1/best.pt
"""
import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from minilm_common import WordPiece  # noqa: E402
from reward_common import RewardModel, length_features, load_bert, read_backbone  # noqa: E402
from train_reward_ranker import Texts, rewards  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--input", default="data/arena-holdout.jsonl")
    ap.add_argument("--score", default="gpt4_score")
    ap.add_argument("--checkpoint", action="append", default=[])
    ap.add_argument("--backbone", default="minilm")
    ap.add_argument("--prompt-max", type=int, default=64)
    ap.add_argument("--answer-max", type=int, default=128)
    ap.add_argument("--exclude-models", default="", help="comma-separated model names left out (e.g. gpt-4)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--length-weight", type=float, action="append", default=[],
                    help="also pick with each checkpoint's learned content part plus this weight times the answer's "
                         "log-length feature f0 (the head's own length part u . f replaced; repeatable)")
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    excluded = [m for m in args.exclude_models.split(",") if m]
    recs = []
    with open(args.input, encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            prompt = r["instruction"] + ("\n" + r["input"] if r.get("input") else "")
            cands = [c for c in r["candidates"] if args.score in (c.get("scores") or {})
                     and not any(c["model"].startswith(m) for m in excluded)]
            if cands:
                recs.append((prompt, cands))
    rows = {}
    rows["oracle"] = sum(max(c["scores"][args.score] for c in cs) for _, cs in recs) / len(recs)
    rows["random (expected)"] = sum(sum(c["scores"][args.score] for c in cs) / len(cs) for _, cs in recs) / len(recs)
    rows["longest"] = sum(max(cs, key=lambda c: len(c["text"]))["scores"][args.score] for _, cs in recs) / len(recs)
    per_model = {}
    for _, cs in recs:
        for c in cs:
            per_model.setdefault(c["model"], []).append(c["scores"][args.score])
    best_model = max(per_model, key=lambda m: sum(per_model[m]) / len(per_model[m]))
    rows["best single LLM (%s, on the %d prompts it answered)" % (best_model, len(per_model[best_model]))] = \
        sum(per_model[best_model]) / len(per_model[best_model])
    if args.checkpoint:
        onnx_bytes, tok_json, heads, _ = read_backbone(args.backbone)
        tok = WordPiece(tok_json)
        ids_of = (tok.vocab["[CLS]"], tok.vocab["[SEP]"], tok.vocab["[PAD]"])
        texts = Texts(tok, os.path.expanduser("~/.cache/blender-train/tokens-%s.pt" % args.backbone))
        for ck in args.checkpoint:
            bert = load_bert(onnx_bytes, heads, ids_of[1])
            model = RewardModel(bert, bert.word.weight.shape[1])
            if ck != "init":
                model.load_state_dict(torch.load(ck)["model"])
            model.eval()
            items = [(p, c["text"]) for p, cs in recs for c in cs]
            rw = rewards(model, items, texts, ids_of, args.prompt_max, args.answer_max)
            u = model.head.u.detach().tolist()
            feats = [length_features(p, a) for p, a in items]
            content = [r - sum(x * y for x, y in zip(u, f)) for r, f in zip(rw, feats)]
            variants = [("reward ranker " + ck, rw)]
            for a in args.length_weight:
                variants.append(("reward ranker %s, length weight %g" % (ck, a),
                                 [c + a * f[0] for c, f in zip(content, feats)]))
            for label, score in variants:
                total, k = 0.0, 0
                for _, cs in recs:
                    best = max(range(len(cs)), key=lambda i: score[k + i])
                    total += cs[best]["scores"][args.score]
                    k += len(cs)
                rows[label] = total / len(recs)
        texts.save()
    for name, v in rows.items():
        print("%-70s %.3f" % (name, v))
    if args.out:
        with open(args.out, "w") as fh:
            json.dump({"input": args.input, "prompts": len(recs), "excluded": excluded, "rows": rows}, fh, indent=1)


if __name__ == "__main__":
    main()
