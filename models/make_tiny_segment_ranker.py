#!/usr/bin/env python3
"""Makes a random segment-architecture ranker directory for blender-ranker's tests: the same weights as TorchScript,
as fp32 ONNX and as int8 ONNX, so that the Java tests can check that both engines and the int8 graph rank alike.

  /usr/bin/python3 models/make_tiny_segment_ranker.py      # writes models/pairranker-segment

It reuses the tiny pair-row fixture's tokenizer, budgets and golden pair encodings (models/pairranker): a small
random BERT (hidden 32, 2 layers) read segment by segment (minilm_common.SegmentRanker) with a random, non-zero
pair head, so the Java head's tanh layer is exercised. Files:
  ranker_config.json  architecture segment, model_file encoder.pt, int8_model_file encoder-int8.onnx
  encoder.pt          TorchScript, fp32: input_ids/attention_mask int64 [B, T] -> normalised mean-pooled [B, 32]
  encoder.onnx        the same encoder exported to ONNX, fp32 (the tests point a config copy at it)
  encoder-int8.onnx   export_segment_ranker.quantize_onnx of encoder.onnx
  head.bin            the pair head (see SegmentHead)
  tokenizer.json      copied from models/pairranker
  golden.json         per golden pair of models/pairranker: the row ids and the logit SegmentRanker gives the row
"""
import json
import os
import shutil
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from minilm_common import Bert, SegmentRanker  # noqa
from export_segment_ranker import SegmentEncoder, export_onnx, head_values, quantize_onnx  # noqa


def main():
    torch.manual_seed(20261203)
    src_dir = os.path.join(HERE, "pairranker")
    out = os.path.join(HERE, "pairranker-segment")
    os.makedirs(out, exist_ok=True)
    base = json.load(open(os.path.join(src_dir, "ranker_config.json")))
    tok = json.load(open(os.path.join(src_dir, "tokenizer.json"), encoding="utf-8"))
    ids = {t["content"]: t["id"] for t in tok["added_tokens"]}
    bert = Bert(base["vocab_size"], hidden=32, layers=2, heads=4, ffn=64, positions=128)
    model = SegmentRanker(bert, ids["[CLS]"], ids["<|source|>"], ids["<|candidate1|>"], ids["<|candidate2|>"],
                          scale=5.0)
    torch.nn.init.normal_(model.head[2].weight, std=0.5)
    torch.nn.init.normal_(model.head[2].bias, std=0.5)
    model.eval()
    encoder = SegmentEncoder(model.bert).eval()
    torch.jit.script(encoder).save(os.path.join(out, "encoder.pt"))
    export_onnx(encoder, os.path.join(out, "encoder.onnx"))
    quantize_onnx(os.path.join(out, "encoder.onnx"), os.path.join(out, "encoder-int8.onnx"))
    with open(os.path.join(out, "head.bin"), "wb") as f:
        for part in head_values(model):
            f.write(part.numpy().astype("<f4").tobytes())
    shutil.copy(os.path.join(src_dir, "tokenizer.json"), os.path.join(out, "tokenizer.json"))
    config = dict(base)
    config.pop("fp16_model_file", None)
    config.update({"name": "random-segment-ranker-tiny", "architecture": "segment", "model_file": "encoder.pt",
                   "int8_model_file": "encoder-int8.onnx", "head_file": "head.bin", "hidden_size": 32,
                   "precision": "auto"})
    with open(os.path.join(out, "ranker_config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    golden = json.load(open(os.path.join(src_dir, "golden.json"), encoding="utf-8"))
    pairs = []
    with torch.no_grad():
        for ex in golden["examples"]:
            row = torch.tensor([ex["input_ids"]])
            logit = float(model(row, torch.ones_like(row))[0])
            pairs.append({"source": ex["source"], "candidate1": ex["candidate1"], "candidate2": ex["candidate2"],
                          "input_ids": ex["input_ids"], "logit": round(logit, 6)})
    with open(os.path.join(out, "golden.json"), "w", encoding="utf-8") as f:
        json.dump({"note": "made by models/make_tiny_segment_ranker.py: SegmentRanker on the pair rows of "
                           "models/pairranker/golden.json", "examples": pairs}, f, ensure_ascii=False, indent=1)
    print(json.dumps(pairs, indent=1)[:600])


if __name__ == "__main__":
    main()
