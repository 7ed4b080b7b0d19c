#!/usr/bin/env python3
"""How a trained reward ranker's learned (content) part combines with the length prior, on dev pairs dumped by
train_reward_ranker.py --eval-only ... --dump FILE.

score(answer) = (r - len) + alpha * f0 (and, fitted by logistic regression with sources weighted equally, c * (r - len)
+ a * f0, i.e. alpha = a / c), with r the model's reward, len the head's own length part (u . f) and f0 the
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


def fit_logistic(rows, l2=1e-3, iters=500):
    """Weights (c, a) of c * content + a * f0 by logistic regression on decided pairs (a wins = 1), each source
    weighted by 1 / its pairs so that sources count equally, as the macro mean does. (f1 differs from f0 by a term of
    the prompt alone, so within a pair it adds nothing.)"""
    import torch
    x, y, w = [], [], []
    counts = {}
    for r in rows:
        if r["label"] in ("a", "b"):
            counts[r["source"]] = counts.get(r["source"], 0) + 1
    for r in rows:
        if r["label"] not in ("a", "b"):
            continue
        ca, cb = r["r_a"] - r["len_a"], r["r_b"] - r["len_b"]
        x.append([ca - cb, r["f_a"][0] - r["f_b"][0]])
        y.append(1.0 if r["label"] == "a" else 0.0)
        w.append(1.0 / counts[r["source"]])
    x, y, w = torch.tensor(x), torch.tensor(y), torch.tensor(w)
    theta = torch.zeros(2, requires_grad=True)
    opt = torch.optim.LBFGS([theta], max_iter=iters)

    def closure():
        opt.zero_grad()
        loss = (w * torch.nn.functional.binary_cross_entropy_with_logits(x @ theta, y, reduction="none")).sum() \
            / w.sum() + l2 * (theta ** 2).sum()
        loss.backward()
        return loss
    opt.step(closure)
    return theta.detach().tolist()


def logistic_part(theta):
    c, a = theta
    return lambda r, side, _: c * (r["r_" + side] - r["len_" + side]) + a * r["f_" + side][0]


def crossfit(folds, fit):
    """Fits on each fold and measures on the other; (macro, per-source) over both held-out halves. fit(rows) returns
    a function of held-out rows giving acc()'s (macro, table)."""
    crossed = {}
    for k in (0, 1):
        measure = fit(folds[k])
        held = folds[1 - k]
        for src, v in measure(held)[1].items():
            n = sum(1 for r in held if r["source"] == src and r["label"] in ("a", "b"))
            c = crossed.setdefault(src, [0, 0.0])
            c[0] += n
            c[1] += v * n
    table = {k: v[1] / v[0] for k, v in sorted(crossed.items())}
    return sum(table.values()) / len(table), table


def main():
    rows = [json.loads(l) for l in open(sys.argv[1])]
    model = acc(rows, 0, lambda r, side, a: r["r_" + side])
    length = acc(rows, 0, lambda r, side, a: r["f_" + side][0])
    content = acc(rows, 0.0)
    folds = [[r for r in rows if fold(r) == k] for k in (0, 1)]
    chosen, thetas = [], []

    def grid(part):
        best = max(ALPHAS, key=lambda a: acc(part, a)[0])
        chosen.append(best)
        return lambda held: acc(held, best)

    def logistic(part):
        theta = fit_logistic(part)
        thetas.append([round(t, 3) for t in theta])
        return lambda held: acc(held, 0, logistic_part(theta))

    cross = crossfit(folds, grid)
    logit = crossfit(folds, logistic)
    full = fit_logistic(rows)
    print("%-28s %s" % ("", " ".join("%11s" % s for s in model[1]) + "       MACRO"))
    for name, res in (("model as trained", model), ("longer wins (f0)", length), ("content part only", content),
                      ("content + alpha*f0, crossfit", cross), ("logistic c,f0, crossfit", logit)):
        print("%-28s %s %11.3f" % (name, " ".join("%11.3f" % v for v in res[1].values()), res[0]))
    print("alpha chosen per fold:", chosen)
    print("logistic (c, a) per fold:", thetas, "on all of dev:", [round(t, 3) for t in full],
          "-> export with --length-weight %.3f" % (full[1] / full[0]))
    for a in ALPHAS:
        print("  alpha %-8g macro %.3f" % (a, acc(rows, a)[0]))


if __name__ == "__main__":
    main()
