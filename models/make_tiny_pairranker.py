#!/usr/bin/python3
"""Makes a random PairRM-shaped ranker directory for blender-ranker's tests and benchmarks.

Run by hand with Debian's python3-torch (1.13) and python3-regex:

    /usr/bin/python3 models/make_tiny_pairranker.py                      # the committed test fixture
    /usr/bin/python3 models/make_tiny_pairranker.py --preset base \
        --out models/build/pairranker-base                               # hidden 768, 12 layers, for benchmarks

The directory holds what PairRanker loads from an exported PairRM:
  pairranker.pt      TorchScript (pairranker-fp16.pt: the same in fp16, for GPUs): forward(input_ids int64[B,T], attention_mask int64[B,T]) -> float32[B],
                     one logit per row; a small post-LN transformer whose head reads the hidden states at
                     the <|source|>, <|candidate1|>, <|candidate2|> positions, as PairRM's does:
                     logit = head([h_src; h_c1]) - head([h_src; h_c2]), head = Linear(2H,H), tanh, Linear(H,1)
  tokenizer.json     a byte-level BPE tokenizer in Hugging Face's format, written here (merges learned on the
                     GSM8K questions and answers in ../shared/data), with [PAD] [CLS] [SEP] [UNK] [MASK] as
                     special tokens and the four prefix tokens as added non-special tokens at the end
  ranker_config.json our config (layout, special and prefix tokens, max lengths, vocab size, precision)
  golden.json        (tiny preset) pair encodings made by this script's own encoder, independent of the Java
                     side, and the logits this model gives them: the Java tests check both.

Weights are random: the model ranks at random. It exists to test shapes, encoding, batching and speed.
"""
import argparse
import copy
import csv
import json
import os
import sys

import regex
import torch
import torch.nn as nn

SPECIALS = ["[PAD]", "[CLS]", "[SEP]", "[UNK]", "[MASK]"]
PREFIXES = ["<|source|>", "<|candidate1|>", "<|candidate2|>", "<|candidate|>"]
GPT2_SPLIT = regex.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""")

PRESETS = {
    # The committed fixture: small budgets so that tests reach truncation with short texts.
    "tiny": dict(hidden=32, layers=2, heads=4, ffn=64, source_max=48, candidate_max=40, merges=1000),
    # Base-sized (BERT-base shapes) with PairRM's budgets, for benchmarks; about 350 MB, not committed.
    "base": dict(hidden=768, layers=12, heads=12, ffn=3072, source_max=1224, candidate_max=412, merges=1000),
}


def bytes_to_unicode():
    """GPT-2's reversible map from bytes to printable unicode characters (as the ByteLevel pre-tokenizer)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


BYTE_CHARS = bytes_to_unicode()


def words_of(text):
    return ["".join(BYTE_CHARS[b] for b in w.encode("utf-8")) for w in GPT2_SPLIT.findall(text)]


def learn_merges(texts, count):
    freq = {}
    for t in texts:
        for w in words_of(t):
            freq[w] = freq.get(w, 0) + 1
    words = {tuple(w): f for w, f in freq.items()}
    merges = []
    while len(merges) < count:
        pairs = {}
        for w, f in words.items():
            for a, b in zip(w, w[1:]):
                pairs[(a, b)] = pairs.get((a, b), 0) + f
        if not pairs:
            break
        best = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))[0]
        merges.append(best)
        joined = best[0] + best[1]
        new_words = {}
        for w, f in words.items():
            out, i = [], 0
            while i < len(w):
                if i + 1 < len(w) and (w[i], w[i + 1]) == best:
                    out.append(joined)
                    i += 2
                else:
                    out.append(w[i])
                    i += 1
            new_words[tuple(out)] = new_words.get(tuple(out), 0) + f
        words = new_words
    return merges


class BpeTokenizer:
    """Encodes like the Hugging Face tokenizer.json written below (added tokens split first, no special tokens)."""

    def __init__(self, vocab, merges, added):
        self.vocab = vocab
        self.ranks = {m: i for i, m in enumerate(merges)}
        self.added = added
        self.split_added = regex.compile("(" + "|".join(regex.escape(t) for t in sorted(added, key=len, reverse=True)) + ")")

    def bpe(self, word):
        parts = list(word)
        while len(parts) > 1:
            ranked = [(self.ranks.get((a, b), 1 << 30), i) for i, (a, b) in enumerate(zip(parts, parts[1:]))]
            rank, i = min(ranked)
            if rank == 1 << 30:
                break
            parts[i:i + 2] = [parts[i] + parts[i + 1]]
        return [self.vocab[p] for p in parts]

    def encode(self, text):
        ids = []
        for piece in self.split_added.split(text):
            if piece == "":
                continue
            if piece in self.added:
                ids.append(self.added[piece])
            else:
                for w in words_of(piece):
                    ids.extend(self.bpe(w))
        return ids


class Layer(nn.Module):
    def __init__(self, hidden, heads, ffn):
        super().__init__()
        self.heads = heads
        self.head_dim = hidden // heads
        self.qkv = nn.Linear(hidden, 3 * hidden)
        self.out = nn.Linear(hidden, hidden)
        self.ln1 = nn.LayerNorm(hidden)
        self.ff1 = nn.Linear(hidden, ffn)
        self.ff2 = nn.Linear(ffn, hidden)
        self.ln2 = nn.LayerNorm(hidden)

    def forward(self, x, bias):
        b, t, h = x.shape
        qkv = self.qkv(x).view(b, t, 3, self.heads, self.head_dim).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        att = torch.matmul(q, k.transpose(-1, -2)) * (self.head_dim ** -0.5) + bias
        y = torch.matmul(att.softmax(dim=-1), v).transpose(1, 2).reshape(b, t, h)
        x = self.ln1(x + self.out(y))
        return self.ln2(x + self.ff2(torch.nn.functional.gelu(self.ff1(x))))


class PairRankerModel(nn.Module):
    def __init__(self, vocab_size, hidden, layers, heads, ffn, max_positions, source_id, cand1_id, cand2_id):
        super().__init__()
        self.source_id = source_id
        self.cand1_id = cand1_id
        self.cand2_id = cand2_id
        self.embed = nn.Embedding(vocab_size, hidden)
        self.positions = nn.Embedding(max_positions, hidden)
        self.ln = nn.LayerNorm(hidden)
        self.layers = nn.ModuleList([Layer(hidden, heads, ffn) for _ in range(layers)])
        self.head = nn.Sequential(nn.Linear(2 * hidden, hidden), nn.Tanh(), nn.Linear(hidden, 1))

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        b, t = input_ids.shape
        pos = torch.arange(t, device=input_ids.device).unsqueeze(0)
        x = self.ln(self.embed(input_ids) + self.positions(pos))
        bias = (1.0 - attention_mask.to(x.dtype)).view(b, 1, 1, t) * -10000.0
        for layer in self.layers:
            x = layer(x, bias)
        rows = torch.arange(b, device=input_ids.device)
        h_src = x[rows, (input_ids == self.source_id).long().argmax(dim=1)]
        h_c1 = x[rows, (input_ids == self.cand1_id).long().argmax(dim=1)]
        h_c2 = x[rows, (input_ids == self.cand2_id).long().argmax(dim=1)]
        left = self.head(torch.cat([h_src, h_c1], dim=1))
        right = self.head(torch.cat([h_src, h_c2], dim=1))
        return (left - right).squeeze(1)


def sanitize(text, tokens):
    for tok in tokens:
        text = text.replace(tok, " ")
    return text


def encode_pair(tok, cfg, ids, source, cand1, cand2):
    """The spec's three-segment PairRM layout with per-example truncation budgets."""
    banned = [cfg["sep_token"]] + PREFIXES
    cls, sep = ids["[CLS]"], ids["[SEP]"]

    def segment(prefix, text, budget):
        body = [ids[prefix]] + tok.encode(sanitize(text, banned))
        return [cls] + body[:budget - 2] + [sep]

    src = segment("<|source|>", source, cfg["source_max_length"])
    cap = cfg["candidate_max_length"] + (cfg["source_max_length"] - len(src)) // 2
    return src + segment("<|candidate1|>", cand1, cap) + segment("<|candidate2|>", cand2, cap)


def corpus():
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "..", "..", "shared", "data", "routellm", "gsm8k_responses.csv")
    if not os.path.exists(path):
        sys.exit(f"need the GSM8K answers at {path} to learn merges")
    texts = []
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.reader(f):
            texts.extend(row)
    return texts


def tokenizer_json(vocab, merges, prefix_ids):
    def added(content, id_, special):
        return {"id": id_, "content": content, "single_word": False, "lstrip": False, "rstrip": False,
                "normalized": False, "special": special}

    added_tokens = [added(t, vocab[t], True) for t in SPECIALS] + [added(t, i, False) for t, i in prefix_ids.items()]
    byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added_tokens,
        "normalizer": None,
        "pre_tokenizer": byte_level,
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
            "special_tokens": {t: {"id": t, "ids": [vocab[t]], "tokens": [t]} for t in ("[CLS]", "[SEP]")},
        },
        "decoder": byte_level,
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": vocab, "merges": [a + " " + b for a, b in merges]},
    }


GOLDEN_EXAMPLES = [
    ("hello!", "hi!", "f**k off!"),
    ("I love you!", "I hate you!", "I love you, too!"),
    ("What is 2 + 2?", "2 + 2 = 4", "It is 5."),
    ("Summarize: the cat sat on the mat.", "", "A cat sat on a mat."),
    ("Text with [SEP] inside", "a <|source|> b", "<|candidate1|><|candidate2|>x"),
    ("A long question about eggs. " * 8, "She sells 9 eggs for $2 each, so she makes $18. " * 6,
     "The answer is 18. " * 3),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preset", choices=sorted(PRESETS), default="tiny")
    ap.add_argument("--out", default=None, help="output directory (default: models/pairranker for tiny)")
    ap.add_argument("--seed", type=int, default=20231121)
    args = ap.parse_args()
    p = PRESETS[args.preset]
    out = args.out or (os.path.join(os.path.dirname(os.path.abspath(__file__)), "pairranker")
                       if args.preset == "tiny" else sys.exit("--out is required for this preset"))
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(args.seed)

    merges = learn_merges(corpus(), p["merges"])
    vocab = {t: i for i, t in enumerate(SPECIALS)}
    for b in range(256):
        vocab[BYTE_CHARS[b]] = len(vocab)
    for a, b in merges:
        vocab.setdefault(a + b, len(vocab))
    prefix_ids = {t: len(vocab) + i for i, t in enumerate(PREFIXES)}
    vocab_size = len(vocab) + len(PREFIXES)
    with open(os.path.join(out, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tokenizer_json(vocab, merges, prefix_ids), f, ensure_ascii=False)

    cfg = {
        "format": "blender-pairranker/1",
        "name": f"random-pairranker-{args.preset}",
        "model_file": "pairranker.pt",
        "fp16_model_file": "pairranker-fp16.pt",
        "tokenizer_file": "tokenizer.json",
        "layout": "pairrm",
        "cls_token": "[CLS]", "sep_token": "[SEP]", "pad_token": "[PAD]",
        "source_prefix": PREFIXES[0], "candidate1_prefix": PREFIXES[1], "candidate2_prefix": PREFIXES[2],
        "candidate_prefix": PREFIXES[3],
        "source_max_length": p["source_max"], "candidate_max_length": p["candidate_max"],
        "vocab_size": vocab_size,
        "precision": "auto",
    }
    with open(os.path.join(out, "ranker_config.json"), "w", encoding="utf-8") as f:
        json.dump(cfg, f, indent=2)

    max_positions = p["source_max"] + 2 * p["candidate_max"]
    model = PairRankerModel(vocab_size, p["hidden"], p["layers"], p["heads"], p["ffn"], max_positions,
                            prefix_ids[PREFIXES[0]], prefix_ids[PREFIXES[1]], prefix_ids[PREFIXES[2]]).eval()
    with torch.no_grad():
        for param in model.parameters():  # wider than default init so that logits differ visibly between pairs
            param.add_(torch.randn_like(param) * 0.05)
    scripted = torch.jit.script(model)
    scripted.save(os.path.join(out, "pairranker.pt"))
    # The fp16 twin PairRanker picks on a GPU (Precision.AUTO), as the reference casts to fp16 there.
    torch.jit.script(copy.deepcopy(model).half()).save(os.path.join(out, "pairranker-fp16.pt"))

    if args.preset == "tiny":
        tok = BpeTokenizer(vocab, merges, {**{t: vocab[t] for t in SPECIALS}, **prefix_ids})
        ids = {**{t: vocab[t] for t in SPECIALS}, **prefix_ids}
        golden = []
        with torch.no_grad():
            for source, c1, c2 in GOLDEN_EXAMPLES:
                row = encode_pair(tok, cfg, ids, source, c1, c2)
                logit = scripted(torch.tensor([row]), torch.ones(1, len(row), dtype=torch.long)).item()
                golden.append({"source": source, "candidate1": c1, "candidate2": c2, "input_ids": row,
                               "logit": logit})
        with open(os.path.join(out, "golden.json"), "w", encoding="utf-8") as f:
            json.dump({"note": "made by models/make_tiny_pairranker.py; ids from its own BPE encoder",
                       "examples": golden}, f, indent=1)
    print(f"wrote {out}: vocab {vocab_size}, hidden {p['hidden']}, layers {p['layers']}")


if __name__ == "__main__":
    main()
