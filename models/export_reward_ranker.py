#!/usr/bin/env python3
"""Exports a reward-architecture checkpoint of train_reward_ranker.py as a ranker directory blender-ranker's PairRanker
loads ("architecture": "reward", see reward_common.py): one encoder pass per (prompt, answer), a scalar reward per
answer, M[i][j] = r_i - r_j.

  /usr/bin/python3 models/export_reward_ranker.py --checkpoint ~/.cache/blender-train/NAME/best.pt \
      --backbone minilm --out models/build/reward-export

The prompt and answer budgets (--prompt-max/--answer-max) default to the ones the checkpoint was trained with (its
"args"), else 64 and 128.

Writes to --out:
  ranker_config.json  blender-pairranker/1, "architecture": "reward", layout plain without prefixes;
                      source_max_length / candidate_max_length are the prompt's and the answer's token budgets
                      (ids without special tokens, as reward_common.row cuts them)
  encoder.onnx        ONNX (opset 14), input_ids/attention_mask int64 [B, T] -> the mean-pooled vector [B, H]
                      (token types are computed inside the graph). Weights stored fp16 and widened by Casts that
                      onnxruntime folds at load (fp32 arithmetic) when that reproduces the fp32 rewards of the golden
                      queries within 5e-5 (--weights auto, the default; the Java test allows 1e-4), else fp32
  head.bin            reward_common.RewardHead.write: little-endian float32 H, I, F, W1 [I][H+F], b1, w2, b2, u [F]
  tokenizer.json      the backbone's tokenizer.json with truncation and padding off
  golden.json         for each golden query: the prompt, the answers, the row ids Python builds
                      (minilm_common.WordPiece + reward_common.token_ids/row), the length features, the count and
                      sha256 of token_ids of each text, and the rewards of the fp32 model (the Java test checks
                      them to 1e-4; with --weights fp16 and a rounding that moves them by more than 5e-5, the
                      rewards of the fp16-rounded weights, which the shipped file must reproduce). Texts too long
                      to store are recipes {"head", "unit", "count", "tail"}
  files.json          size and sha256 of each shipped file
With --int8 also encoder-int8.onnx (export_segment_ranker.quantize_onnx: attention MatMuls int8, feed-forward fp32;
dynamic activation scales, so the ranker runs it one row per call) named as int8_model_file. Whether to ship it is
a measurement (Kendall tau against fp32 on the Arena records, issue 25), not this script's decision.
"""
import argparse
import copy
import hashlib
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from minilm_common import WordPiece  # noqa: E402
from reward_common import (RewardModel, length_features, load_bert, read_backbone, row,  # noqa: E402
                           set_length_weight, token_ids)

CLS, SEP, PAD = "[CLS]", "[SEP]", "[PAD]"
# fp16-stored weights only when they move no golden reward by more than this: half the 1e-4 the Java test allows,
# leaving room for onnxruntime's own rounding (about 1e-6 measured).
FP16_LIMIT = 5e-5

# Golden queries: a prompt cut head and tail, a long answer cut head and tail, non-ASCII text, the special-token
# strings in user text, an empty answer, and two texts past the long-text rule (one of more than 65,536 UTF-16
# units but fewer code points, which must not be split).
LONG_ANSWER = ("The capital of France is Paris. It has been the seat of government for most of the last thousand "
               "years, and it sits on the Seine in the north of the country. Its population is about two million "
               "in the city proper and twelve million in the metropolitan area. In short: Paris.")
GOLDEN = [
    ("What is the capital of France?",
     ["Paris is the capital of France.", "I think it is Lyon.", "", LONG_ANSWER]),
    ("I am planning a long trip across Europe next summer with two children and a dog, and I keep changing my "
     "mind about the route, the budget and the trains. Given all that, which city should we start in?",
     ["Start in Amsterdam: trains go everywhere from there.", "Rome.", "Anywhere you like, honestly, it depends."]),
    ("Wie heißt die Hauptstadt von Japan? 日本の首都はどこですか？",
     ["Tōkyō — 東京です。", "Kyōto, naïve café résumé 🙂", "Ōsaka 大阪", "東京"]),
    ("Explain what [SEP] and [CLS] mean in BERT.",
     ["[SEP] separates segments; [CLS] opens the row. [MASK] and [PAD] and [UNK] are special too.",
      "[sep] lowercase is not special", "[[SEP]CLS] nested", "[SEP][SEP][SEP]"]),
    ("Write a very long text.",
     [{"head": "Here it is: ", "unit": "😀😀😀 word ", "count": 6000, "tail": " the end."},
      {"head": "Start. ", "unit": "abcdefgh ", "count": 8000, "tail": " Finish."},
      "Short."]),
    ({"head": "Context: ", "unit": "lorem ipsum dolor ", "count": 4000, "tail": " Question: what does it say?"},
     ["Latin filler.", "Nothing useful at all, just lorem ipsum repeated many times over."]),
]


def expand(spec):
    if isinstance(spec, str):
        return spec
    return spec["head"] + spec["unit"] * spec["count"] + spec["tail"]


def ids_digest(ids):
    return {"count": len(ids), "sha256": hashlib.sha256(",".join(map(str, ids)).encode("ascii")).hexdigest()}


def rewards_of(model, rows, feats):
    out = []
    with torch.no_grad():
        for r, f in zip(rows, feats):
            ids = torch.tensor([r], dtype=torch.long)
            out.append(float(model(ids, torch.ones_like(ids), torch.tensor([f], dtype=torch.float32))[0]))
    return out


def golden_queries(model, tok, prompt_max, answer_max):
    """(golden dict entries, the rewards of each query) for GOLDEN."""
    cls_id, sep_id = tok.vocab[CLS], tok.vocab[SEP]
    out = []
    for prompt_spec, answer_specs in GOLDEN:
        prompt = expand(prompt_spec)
        p_ids = token_ids(tok, prompt)
        rows, feats, digests = [], [], []
        for spec in answer_specs:
            answer = expand(spec)
            a_ids = token_ids(tok, answer)
            rows.append(row(cls_id, sep_id, p_ids, a_ids, prompt_max, answer_max))
            feats.append(length_features(prompt, answer))
            digests.append(ids_digest(a_ids))
        out.append({"prompt": prompt_spec, "answers": answer_specs, "prompt_tokens": ids_digest(p_ids),
                    "answer_tokens": digests, "rows": rows, "features": feats,
                    "rewards": [round(r, 7) for r in rewards_of(model, rows, feats)]})
    return out


class Encoder(torch.nn.Module):
    """input_ids, attention_mask -> the mean-pooled vector the head reads."""

    def __init__(self, bert):
        super().__init__()
        self.bert = bert

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.bert(input_ids, attention_mask)


def export_onnx(bert, path):
    ids = torch.tensor([[101, 7592, 102, 2088, 102], [101, 7592, 102, 102, 0]])
    mask = (ids > 0).to(torch.long)
    torch.onnx.export(Encoder(bert).eval(), (ids, mask), path, input_names=["input_ids", "attention_mask"],
                      output_names=["embedding"], opset_version=14,
                      dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
                                    "embedding": {0: "batch"}})


def fp16_rounded(model):
    """A copy whose float weights are rounded to fp16 and back: what an ONNX file storing them as fp16 computes."""
    m = copy.deepcopy(model)
    with torch.no_grad():
        for p in m.bert.parameters():
            if p.numel() >= 1024:
                p.copy_(p.half().float())
    return m


def tokenizer_json(base):
    out = json.loads(json.dumps(base))
    out["truncation"] = None
    out["padding"] = None
    return out


def write_directory(model, tok_json, out, name, prompt_max, answer_max, weights="auto", int8=False, note=""):
    """Writes the ranker directory for a RewardModel (eval mode). Returns the golden dict."""
    from export_segment_ranker import quantize_onnx, store_fp16

    model = model.eval()
    os.makedirs(out, exist_ok=True)
    tok = WordPiece(tok_json)
    golden = golden_queries(model, tok, prompt_max, answer_max)
    want = [r for q in golden for r in q["rewards"]]
    rounded = fp16_rounded(model)
    rounded_golden = golden_queries(rounded, tok, prompt_max, answer_max)
    fp16_diff = max(abs(a - b) for a, b in zip(want, [r for q in rounded_golden for r in q["rewards"]]))
    print("largest |reward(fp16 weights) - reward(fp32)| on the golden queries: %.2e" % fp16_diff)
    use_fp16 = weights == "fp16" or (weights == "auto" and fp16_diff <= FP16_LIMIT)
    if use_fp16 and fp16_diff > FP16_LIMIT:
        # Asked for fp16 although rounding moves the rewards: the goldens are then the rounded weights' rewards, what
        # the shipped file must reproduce (the rounding's effect on ranking is a measurement: eval with --fp16).
        golden = rounded_golden
        print("fp16 weights asked for: goldens are the rounded weights' rewards")

    onnx_path = os.path.join(out, "encoder.onnx")
    if use_fp16:
        tmp = onnx_path + ".fp32.tmp"
        export_onnx(model.bert, tmp)
        store_fp16(tmp, onnx_path)
        os.remove(tmp)
    else:
        export_onnx(model.bert, onnx_path)
    if int8:
        src = onnx_path
        if use_fp16:
            src = os.path.join(out, "encoder-fp32.onnx.tmp")
            export_onnx(model.bert, src)
        print("int8 MatMuls:", quantize_onnx(src, os.path.join(out, "encoder-int8.onnx"), r"/(out|inter)/MatMul"))
        if src != onnx_path:
            os.remove(src)
    model.head.write(os.path.join(out, "head.bin"))
    with open(os.path.join(out, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tokenizer_json(tok_json), f, ensure_ascii=False)
    hidden = model.bert.word.weight.shape[1]
    config = {"format": "blender-pairranker/1", "name": name, "architecture": "reward",
              "model_file": "encoder.onnx", "head_file": "head.bin", "hidden_size": hidden,
              "tokenizer_file": "tokenizer.json", "layout": "plain", "cls_token": CLS, "sep_token": SEP,
              "pad_token": PAD, "source_max_length": prompt_max, "candidate_max_length": answer_max,
              "vocab_size": model.bert.word.weight.shape[0], "precision": "auto"}
    if int8:
        config["int8_model_file"] = "encoder-int8.onnx"
    with open(os.path.join(out, "ranker_config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    doc = {"note": note or ("made by models/export_reward_ranker.py: rows as reward_common.row builds them, rewards "
                            "of the fp32 model"),
           "name": name, "prompt_max": prompt_max, "answer_max": answer_max,
           "weights": "fp16" if use_fp16 else "fp32", "fp16_weights_largest_reward_diff": fp16_diff,
           "golden_rewards_of": "fp16-rounded weights" if use_fp16 and fp16_diff > FP16_LIMIT else "fp32 weights",
           "queries": golden}
    with open(os.path.join(out, "golden.json"), "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)
        f.write("\n")
    files = {}
    for fname in sorted(os.listdir(out)):
        if fname in ("files.json", "golden.json") or fname.endswith(".tmp"):
            continue
        with open(os.path.join(out, fname), "rb") as f:
            data = f.read()
        files[fname] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    with open(os.path.join(out, "files.json"), "w") as f:
        json.dump({"name": name, "files": files}, f, indent=1)
        f.write("\n")
    print(json.dumps(files, indent=1))
    return doc


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", required=True, help="a train_reward_ranker.py checkpoint (its 'model' entry)")
    ap.add_argument("--backbone", default="minilm", help="reward_common.BACKBONES name the checkpoint was trained on")
    ap.add_argument("--out", required=True)
    ap.add_argument("--name", default=None, help="default blender-reward-BACKBONE")
    ap.add_argument("--prompt-max", type=int, default=None)
    ap.add_argument("--answer-max", type=int, default=None)
    ap.add_argument("--weights", choices=["auto", "fp32", "fp16"], default="auto")
    ap.add_argument("--int8", action="store_true")
    ap.add_argument("--length-weight", type=float, default=None,
                    help="replace the head's length weights u by (A, 0): the learned content part plus A times the "
                         "log-length feature, as models/combine_length.py chose it on dev")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    ckpt = torch.load(args.checkpoint, map_location="cpu")
    targs = ckpt.get("args", {}) if isinstance(ckpt, dict) else {}
    if targs.get("backbone") and targs["backbone"] != args.backbone:
        raise SystemExit("--backbone %s, but the checkpoint was trained on %s" % (args.backbone, targs["backbone"]))
    prompt_max = args.prompt_max or targs.get("prompt_max", 64)
    answer_max = args.answer_max or targs.get("answer_max", 128)
    onnx_bytes, tok_json, heads, jar = read_backbone(args.backbone)
    sep_id = tok_json["model"]["vocab"][SEP]
    bert = load_bert(onnx_bytes, heads, sep_id)
    model = RewardModel(bert, bert.word.weight.shape[1])
    model.load_state_dict(ckpt["model"])
    if args.length_weight is not None:
        set_length_weight(model, args.length_weight)
    model.eval()
    name = args.name or "blender-reward-" + args.backbone
    write_directory(model, tok_json, args.out, name, prompt_max, answer_max, args.weights, args.int8,
                    note="made by models/export_reward_ranker.py from %s (backbone %s, %s, step %s)"
                         % (os.path.basename(args.checkpoint), args.backbone, os.path.basename(jar),
                            ckpt.get("step")))


if __name__ == "__main__":
    main()
