#!/usr/bin/env python3
"""Writes data/arena-holdout.jsonl: the Arena-Hard (arena-bench v1) prompts the shipped ranker was NOT trained on.

The held-out prompts are the first 40 arena-bench groups of ../shared/data/preferences/train.jsonl.gz by sha256 of
the group id, exactly as models/train_minilm_ranker.py --holdout-prompts 40 chooses them (prompts with no
training pair at all are left out: the data's decontamination removed most of those, as they also occur in public
benchmarks); their records are copied from
../shared/data/arena-bench/train.jsonl (Apache-2.0, lmarena/arena-hard-auto), keeping only the answers the GPT-4
judge rated (15 of the 17 models), so that every candidate has the score `blender eval` compares with. Deterministic.

  python3 data/make_arena_holdout.py
"""
import gzip
import hashlib
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "..", "..", "shared", "data", "arena-bench", "train.jsonl")


def main(count=40):
    with open(SRC, encoding="utf-8") as f:
        records = [json.loads(line) for line in f]
    with gzip.open(os.path.join(HERE, "..", "..", "shared", "data", "preferences", "train.jsonl.gz"), "rt",
                   encoding="utf-8") as f:
        trained = {json.loads(line)["group"] for line in f}
    groups = sorted((g for g in trained if g.startswith("arena-bench:")),
                    key=lambda g: hashlib.sha256(g.encode()).hexdigest())
    held = set(groups[:count])
    out = [r for r in records if "arena-bench:" + r["id"] in held]
    for r in out:
        r["candidates"] = [c for c in r["candidates"] if "gpt4_score" in c.get("scores", {})]
    with open(os.path.join(HERE, "arena-holdout.jsonl"), "w", encoding="utf-8") as f:
        for r in out:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print("wrote %d records" % len(out))


if __name__ == "__main__":
    main()
