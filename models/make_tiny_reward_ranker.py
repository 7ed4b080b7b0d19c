#!/usr/bin/env python3
"""Makes a random reward-architecture ranker directory for blender-ranker's tests (RewardRankerTest):

  /usr/bin/python3 models/make_tiny_reward_ranker.py      # writes models/reward-tiny

A small random BERT (reward_common.Bert: 2 layers, hidden 32, 4 heads, feed-forward 64, 128 positions) over the
real all-MiniLM-L6-v2 WordPiece tokenizer (its jar in ~/.m2, vocabulary 30522, so the word embeddings are
30522 x 32), with a random non-zero reward_common.RewardHead, and small budgets (prompt 24, answer 40 token ids) so
that the golden queries cut prompts and answers head and tail. The encoder's weights are rounded to fp16 before
anything is computed, so that the ONNX file stores them as fp16 (about 2 MB instead of 4) and still computes exactly
the golden rewards. Deterministic (fixed seed); the directory layout is export_reward_ranker.py's.
"""
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from reward_common import Bert, RewardModel, read_backbone  # noqa: E402
from export_reward_ranker import fp16_rounded, write_directory  # noqa: E402


def main():
    torch.manual_seed(20261206)
    torch.set_num_threads(1)
    _, tok_json, _, jar = read_backbone("minilm")
    vocab = len(tok_json["model"]["vocab"])
    bert = Bert(vocab, hidden=32, layers=2, heads=4, ffn=64, positions=128)
    bert.sep_id = tok_json["model"]["vocab"]["[SEP]"]
    with torch.no_grad():
        for name, p in bert.named_parameters():
            if "norm" in name:  # LayerNorm: near 1 and 0, but not exactly, so the Java side reads them
                p.add_(torch.randn_like(p) * 0.1)
    model = RewardModel(bert, 32)
    with torch.no_grad():
        torch.nn.init.normal_(model.head.w2.weight, std=0.5)
        torch.nn.init.normal_(model.head.w2.bias, std=0.5)
        model.head.u.copy_(torch.tensor([0.7, -0.4]))
    model = fp16_rounded(model).eval()
    write_directory(model, tok_json, os.path.join(HERE, "reward-tiny"), "random-reward-ranker-tiny", 24, 40,
                    weights="fp16",
                    note="made by models/make_tiny_reward_ranker.py: random weights over the tokenizer of "
                         + os.path.basename(jar) + "; rows as reward_common.row builds them")


if __name__ == "__main__":
    main()
