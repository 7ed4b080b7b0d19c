#!/usr/bin/env python3
"""How a trained reward ranker's learned (content) part combines with the length prior, on dev pairs dumped by
train_reward_ranker.py --eval-only ... --dump FILE.

score(answer) = (r - len) + alpha * f0, with r the model's reward, len the head's own length part (u . f) and f0 the
answer's log-length feature. alpha is chosen on one half of the dev groups (hash of the group) and reported on the
other, both ways (cross-fitted), so the reported accuracy is not the one alpha was chosen on. Macro mean over sources;
a tie of scores counts half; dev ties are left out.

  /usr/bin/python3 models/combine_length.py ~/.cache/blender-train/dumps/minilm-r1-600.jsonl
"""
import hashlib
import json
import sys

ALPHAS = [0.0, 0.25, 0.5, 1, 1.5, 2, 3, 4, 6, 8, 12, 16, 24, 32, 64, 1e6]


def fold(r):
    return int(hashlib.sha1(r["group"].encode("utf-8")).hexdigest(), 16) % 2


def acc(rows, alpha, part=None):
    per = {}
    for r in rows:
        if r["label"] not in ("a", "b"):
            continue
        sa = (r["r_a"] - r["len_a"]) + alpha * r["f_a"][0] if part is None else part(r, "a", alpha)
        sb = (r["r_b"] - r["len_b"]) + alpha * r["f_b"][0] if part is None else part(r, "b", alpha)
        ok = 0.5 if sa == sb else (1.0 if (sa > sb) == (r["label"] == "a") else 0.0)
        s = per.setdefault(r["source"], [0, 0.0])
        s[0] += 1
        s[1] += ok
    table = {k: v[1] / v[0] for k, v in sorted(per.items())}
    return sum(table.values()) / len(table), table


def main():
    rows = [json.loads(l) for l in open(sys.argv[1])]
    model = acc(rows, 0, lambda r, side, a: r["r_" + side])
    length = acc(rows, 0, lambda r, side, a: r["f_" + side][0])
    content = acc(rows, 0.0)
    folds = [[r for r in rows if fold(r) == k] for k in (0, 1)]
    crossed = {}
    chosen = []
    for k in (0, 1):
        best = max(ALPHAS, key=lambda a: acc(folds[k], a)[0])
        chosen.append(best)
        for src, v in acc(folds[1 - k], best)[1].items():
            n = sum(1 for r in folds[1 - k] if r["source"] == src and r["label"] in ("a", "b"))
            c = crossed.setdefault(src, [0, 0.0])
            c[0] += n
            c[1] += v * n
    cross_table = {k: v[1] / v[0] for k, v in sorted(crossed.items())}
    cross = (sum(cross_table.values()) / len(cross_table), cross_table)
    print("%-28s %s" % ("", " ".join("%11s" % s for s in model[1]) + "       MACRO"))
    for name, res in (("model as trained", model), ("longer wins (f0)", length), ("content part only", content),
                      ("content + alpha*f0, crossfit", cross)):
        print("%-28s %s %11.3f" % (name, " ".join("%11.3f" % v for v in res[1].values()), res[0]))
    print("alpha chosen per fold:", chosen)
    for a in ALPHAS:
        print("  alpha %-8g macro %.3f" % (a, acc(rows, a)[0]))


if __name__ == "__main__":
    main()
