#!/usr/bin/env python3
"""Exports a segment-architecture checkpoint of train_minilm_ranker.py (--arch segment) as a ranker directory whose
texts are encoded alone: N + 1 encoder passes rank N candidates instead of N(N-1) pair rows, with the same logits.

  /usr/bin/python3 models/export_segment_ranker.py --checkpoint models/build/minilm-seg/best.pt \
      --out models/minilm-ranker

Why it is exact: SegmentRanker lets each of a row's three segments attend only to itself, with positions restarting
at each [CLS] and the prefix token left out, so each segment is encoded exactly as the encoder encodes
[CLS] text [SEP] alone, and the logit is g(s, c1) - g(s, c2) with

    g(s, c) = scale * cos(s, c) + w2 . tanh(W1 [s; c; s * c] + b1) + b2

Only the candidate's truncation depends on the pair, and only through the source's length, so g is a function of
(source, candidate). The Java ranker encodes each distinct text once, computes g per candidate and fills
M[i][j] = g_i - g_j.

Writes to --out:
  ranker_config.json  blender-pairranker/1 with "architecture": "segment"
  tokenizer.json      the ranker's tokenizer (all-MiniLM-L6-v2's WordPiece plus the four PairRM prefix tokens)
  encoder.onnx        ONNX, input_ids/attention_mask int64 [B, T] -> mean-pooled, L2-normalised [B, H]; weights
                      stored as fp16 and widened by Casts that onnxruntime folds at load (fp32 arithmetic)
  head.bin            the pair head, little-endian float32: scale, W1 [H][3H] row-major, b1 [H], w2 [H], b2
  segment_golden.json token ids, vectors and g values of a few texts, and row logits from the pair-row model for
                      the same pairs (the Java tests check both engines against them)
  files.json          size and sha256 of each shipped file
Also writes to models/build/segment-export/ (not committed), for the ranker-engines benchmark and for users who
want int8: encoder-fp32.onnx, encoder-fp32.pt, encoder-fp16w.pt (TorchScript of the shipped weights),
encoder-int8.pt (torch dynamic quantization), encoder-int8.onnx (attention MatMul weights int8, symmetric, one scale
per output column; activations quantized per call by DynamicQuantizeLinear, so a ranker runs it one text per call;
feed-forward MatMuls fp32; word embeddings fp16), encoder-int8-all.onnx (every MatMul int8) and pairranker-rows.pt,
the pair-row model of the same weights.
"""
import argparse
import copy
import hashlib
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from minilm_common import CLS, PAD, PREFIXES, SEP, find_jar, pad_batch, ranker_tokenizer_json, read_jar  # noqa
from export_minilm_ranker import GOLDEN_PAIRS, Embedding16, _replace_linears, build, logits  # noqa

HERE = os.path.dirname(os.path.abspath(__file__))
# The int8 export keeps the feed-forward MatMuls fp32: quantizing them too (every MatMul) ranked 10 Arena-Hard
# prompts at N = 4, 8, 12 with Kendall tau 0.89-0.93 against fp32, attention only with 0.97-1.0 (ranker-engines,
# one text per call; README, Performance).
INT8_KEEP_FP32 = r"/(out|inter)/MatMul"


class SegmentEncoder(nn.Module):
    """[CLS] text [SEP] -> the mean of the last hidden states under the mask, L2-normalised."""

    def __init__(self, bert):
        super().__init__()
        self.bert = bert

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        h = self.bert(input_ids, attention_mask)
        w = attention_mask.unsqueeze(2).to(h.dtype)
        v = (h * w).sum(dim=1) / w.sum(dim=1).clamp(min=1.0)
        return torch.nn.functional.normalize(v, dim=1)


def fp16_weights(encoder):
    m = copy.deepcopy(encoder).eval()
    m.bert.word = Embedding16(m.bert.word.weight)
    _replace_linears(m)
    return m


def export_onnx(module, path):
    ids = torch.tensor([[1, 5, 6, 2], [1, 7, 2, 0]])  # ids any vocabulary here has
    mask = (ids > 0).to(torch.long)
    torch.onnx.export(module, (ids, mask), path, input_names=["input_ids", "attention_mask"],
                      output_names=["embedding"], opset_version=14,
                      dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
                                    "embedding": {0: "batch"}})


def quantize_onnx(src, dst, keep_fp32=None):
    """Every MatMul whose second input is a 2-D float initializer becomes DynamicQuantizeLinear(A) -> MatMulInteger
    (uint8 x int8, zero weight zero point) -> Cast -> Mul(a_scale) -> Mul(per-column weight scale): the pattern
    onnxruntime fuses into DynamicQuantizeMatMul. The word embedding Gather reads an fp16 table through a Cast.
    MatMuls whose node name matches the regular expression keep_fp32 stay fp32."""
    import re
    import onnx
    from onnx import helper, numpy_helper, TensorProto

    model = onnx.load(src)
    graph = model.graph
    inits = {i.name: i for i in graph.initializer}
    new_nodes = []
    count = 0
    for node in graph.node:
        if (node.op_type == "MatMul" and node.input[1] in inits and len(inits[node.input[1]].dims) == 2
                and not (keep_fp32 and re.search(keep_fp32, node.name))):
            w = numpy_helper.to_array(inits[node.input[1]]).astype(np.float32)  # [K, N]
            scale = np.maximum(np.abs(w).max(axis=0), 1e-12) / 127.0
            q = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
            base = "q%d" % count
            count += 1
            graph.initializer.remove(inits[node.input[1]])
            graph.initializer.extend([numpy_helper.from_array(q, base + "_w"),
                                      numpy_helper.from_array(np.zeros((), np.int8), base + "_wzp"),
                                      numpy_helper.from_array(scale.astype(np.float32), base + "_ws")])
            a = node.input[0]
            new_nodes += [
                helper.make_node("DynamicQuantizeLinear", [a], [base + "_a", base + "_as", base + "_azp"]),
                helper.make_node("MatMulInteger", [base + "_a", base + "_w", base + "_azp", base + "_wzp"],
                                 [base + "_i"]),
                helper.make_node("Cast", [base + "_i"], [base + "_f"], to=TensorProto.FLOAT),
                helper.make_node("Mul", [base + "_f", base + "_as"], [base + "_fa"]),
                helper.make_node("Mul", [base + "_fa", base + "_ws"], [node.output[0]]),
            ]
        elif node.op_type == "Gather" and node.input[0] in inits and inits[node.input[0]].dims[0] > 10000:
            table = inits[node.input[0]]
            w = numpy_helper.to_array(table).astype(np.float16)
            graph.initializer.remove(table)
            graph.initializer.append(numpy_helper.from_array(w, table.name + "_fp16"))
            new_nodes += [helper.make_node("Gather", [table.name + "_fp16", node.input[1]], [node.output[0] + "_h"],
                                           axis=0),
                          helper.make_node("Cast", [node.output[0] + "_h"], [node.output[0]], to=TensorProto.FLOAT)]
        else:
            new_nodes.append(node)
    del graph.node[:]
    graph.node.extend(new_nodes)
    onnx.checker.check_model(model)
    onnx.save(model, dst)
    return count


def store_fp16(src, dst):
    """The same graph with every large float initializer stored as fp16 and widened by a Cast: half the bytes,
    fp32 arithmetic (onnxruntime folds the Casts when it loads the graph)."""
    import onnx
    from onnx import helper, numpy_helper, TensorProto

    model = onnx.load(src)
    graph = model.graph
    casts = []
    for init in list(graph.initializer):
        if init.data_type == TensorProto.FLOAT and np.prod(init.dims) >= 1024:
            w = numpy_helper.to_array(init).astype(np.float16)
            graph.initializer.remove(init)
            graph.initializer.append(numpy_helper.from_array(w, init.name + "_fp16"))
            casts.append(helper.make_node("Cast", [init.name + "_fp16"], [init.name], to=TensorProto.FLOAT))
    nodes = casts + list(graph.node)
    del graph.node[:]
    graph.node.extend(nodes)
    onnx.checker.check_model(model)
    onnx.save(model, dst)


def head_values(model):
    """scale, W1, b1, w2, b2 of SegmentRanker as float32 arrays."""
    return (model.scale.detach().float().reshape(1), model.head[0].weight.detach().float(),
            model.head[0].bias.detach().float(), model.head[2].weight.detach().float().reshape(-1),
            model.head[2].bias.detach().float().reshape(1))


def g_values(model, src, cands):
    scale, w1, b1, w2, b2 = head_values(model)
    s = src.expand_as(cands)
    h = torch.tanh(torch.cat([s, cands, s * cands], dim=1) @ w1.t() + b1)
    return scale * (s * cands).sum(dim=1) + h @ w2 + b2


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)
    scratch = os.path.join(HERE, "build", "segment-export")
    os.makedirs(scratch, exist_ok=True)

    ckpt = torch.load(args.checkpoint)
    targs = ckpt["args"]
    if targs.get("arch") != "segment":
        raise SystemExit("--checkpoint must come from train_minilm_ranker.py --arch segment, found arch "
                         + str(targs.get("arch")))
    _, base_tok = read_jar(find_jar(None))
    tok_json = ranker_tokenizer_json(base_tok)
    tok, layout, model = build(tok_json, ckpt["model"], targs)
    encoder = SegmentEncoder(model.bert).eval()

    torch.jit.script(encoder).save(os.path.join(scratch, "encoder-fp32.pt"))
    torch.jit.script(fp16_weights(encoder)).save(os.path.join(scratch, "encoder-fp16w.pt"))
    int8_pt = torch.quantization.quantize_dynamic(copy.deepcopy(encoder), {nn.Linear}, dtype=torch.qint8)
    torch.jit.script(int8_pt).save(os.path.join(scratch, "encoder-int8.pt"))
    torch.jit.script(model).save(os.path.join(scratch, "pairranker-rows.pt"))
    fp32_onnx = os.path.join(scratch, "encoder-fp32.onnx")
    export_onnx(encoder, fp32_onnx)
    store_fp16(fp32_onnx, os.path.join(args.out, "encoder.onnx"))
    print("int8, attention only:", quantize_onnx(fp32_onnx, os.path.join(scratch, "encoder-int8.onnx"),
                                                 INT8_KEEP_FP32), "MatMuls")
    print("int8, every MatMul:", quantize_onnx(fp32_onnx, os.path.join(scratch, "encoder-int8-all.onnx")), "MatMuls")

    with open(os.path.join(args.out, "head.bin"), "wb") as f:
        for part in head_values(model):
            f.write(part.numpy().astype("<f4").tobytes())
    with open(os.path.join(args.out, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tok_json, f, ensure_ascii=False)
    hidden = model.bert.word.weight.shape[1]
    name = "blender-minilm-pairranker"
    config = {"format": "blender-pairranker/1", "name": name, "architecture": "segment",
              "model_file": "encoder.onnx", "head_file": "head.bin",
              "hidden_size": hidden, "tokenizer_file": "tokenizer.json", "layout": "pairrm", "cls_token": CLS,
              "sep_token": SEP, "pad_token": PAD, "source_prefix": PREFIXES[0], "candidate1_prefix": PREFIXES[1],
              "candidate2_prefix": PREFIXES[2], "candidate_prefix": PREFIXES[3],
              "source_max_length": targs["source_max"], "candidate_max_length": targs["candidate_max"],
              "vocab_size": len(tok_json["model"]["vocab"]) + len(PREFIXES), "precision": "auto"}
    with open(os.path.join(args.out, "ranker_config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")

    # Golden: each pair's row logit from the pair-row model, and the same logit from texts encoded alone.
    golden = []
    worst = 0.0
    with torch.no_grad():
        for s, a, b in GOLDEN_PAIRS:
            seg = layout.source_segment(s)
            body_a, body_b = layout.candidate_body(a), layout.candidate_body(b)
            row = layout.row(seg, body_a, body_b)
            row_logit = logits(model, layout, [row], batch=1)[0]
            room = max(0, layout.cmax + (layout.smax - len(seg)) // 2 - 3)
            texts = [[seg[0]] + seg[2:], [layout.cls] + body_a[:room] + [layout.sep],
                     [layout.cls] + body_b[:room] + [layout.sep]]
            ids, mask = pad_batch(texts, layout.pad)
            vec = encoder(ids, mask)
            g = g_values(model, vec[0:1], vec[1:3])
            alone = float(g[0] - g[1])
            worst = max(worst, abs(alone - row_logit))
            golden.append({"source": s, "candidate1": a, "candidate2": b, "texts": texts,
                           "g": [round(float(x), 6) for x in g], "row_logit": round(row_logit, 6),
                           "logit": round(alone, 6), "source_vector_head": [round(float(x), 6) for x in vec[0][:8]]})
    print("largest |row logit - alone logit| on the golden pairs: %.2e" % worst)
    if worst > 1e-4:
        raise SystemExit("texts encoded alone do not reproduce the pair-row logits")
    with open(os.path.join(args.out, "segment_golden.json"), "w", encoding="utf-8") as f:
        json.dump({"name": name, "largest_row_vs_alone": worst, "pairs": golden}, f, ensure_ascii=False, indent=1)

    files = {}
    for fname in ("encoder.onnx", "head.bin", "tokenizer.json", "ranker_config.json"):
        with open(os.path.join(args.out, fname), "rb") as f:
            data = f.read()
        files[fname] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    with open(os.path.join(args.out, "files.json"), "w") as f:
        json.dump({"name": name, "files": files}, f, indent=1)
        f.write("\n")
    print(json.dumps(files, indent=1))


if __name__ == "__main__":
    main()
