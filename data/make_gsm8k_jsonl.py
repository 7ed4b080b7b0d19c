#!/usr/bin/env python3
"""Writes gsm8k-100.jsonl: the first 100 questions of RouteLLM's GSM8K answers in the MixInstruct record format.

Run by hand from the repository root (plain Python 3, no packages):
    python3 data/make_gsm8k_jsonl.py
Reads the bundled copy blender-examples/src/main/resources/io/llmblender/examples/data/gsm8k_responses.csv.
"""
import csv
import json

SOURCE = "blender-examples/src/main/resources/io/llmblender/examples/data/gsm8k_responses.csv"
OUT = "data/gsm8k-100.jsonl"
COUNT = 100

with open(SOURCE, newline="", encoding="utf-8") as f:
    rows = list(csv.reader(f))
header, records = rows[0], rows[1:]
models = [h[: -len("_response")] for h in header if h.endswith("_response")]
with open(OUT, "w", encoding="utf-8") as out:
    for i, row in enumerate(records[:COUNT]):
        field = dict(zip(header, row))
        candidates = []
        for m in models:
            candidates.append({
                "model": m,
                "decoding_method": "unknown",
                "text": field[m + "_response"].strip(),
                "scores": {"correct": 1.0 if field[m] == "True" else 0.0},
            })
        record = {"id": "gsm8k-test-%d" % i, "instruction": field["prompt"], "input": "", "output": "",
                  "candidates": candidates}
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
print("wrote", OUT)
