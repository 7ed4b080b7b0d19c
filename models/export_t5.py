#!/usr/bin/env python3
"""Exports a T5 / Flan-T5 checkpoint (e.g. llm-blender/gen_fuser_3b) to a blender-fuser model directory.

NOT RUN WITH THE REAL `transformers` WHERE IT WAS WRITTEN: the machine this project is built on has no network
to the Hugging Face hub and no `transformers`. What was run there: the module classes below (T5Fuser and its
layers), since the committed tiny test model (models/make_tiny_t5.py -> models/genfuser/) is a random T5 built
from them (scripting, shapes, KV cache, DJL calls); from_hf() on a stand-in with transformers' T5 attribute
layout, against a line-by-line transcription of modeling_t5's forward (equal logits); main() end to end
against a stand-in `transformers` package. The real library may still differ (a version's attribute names,
generate() defaults): this script compares its module with transformers' forward and generate() on a fusion
prompt and exits with an error, writing no fuser_config.json, when they disagree.

Usage (any machine with network; a GPU is not needed, fp32 on CPU):

    pip install torch transformers sentencepiece
    python models/export_t5.py --model google/flan-t5-small --out models/build/flan-t5-small
    python models/export_t5.py --model llm-blender/gen_fuser_3b --tokenizer google/flan-t5-xl \
        --out models/build/gen_fuser_3b [--bf16]

The directory it writes (the same layout as the tiny fixture models/genfuser/):
  fuser.pt           TorchScript (torch.jit.script) of T5Fuser, fp32:
                       forward(input_ids, attention_mask)            -> same as encode
                       encode(input_ids int64[B,S], attention_mask int64[B,S])
                           -> (cross_k, cross_v), each [L, B, H, S, Dkv] in the model dtype: every decoder layer's
                              cross-attention keys / values (EncDecAttention.k / .v) of the encoder output
                       decode_step(tokens int64[B,t], cross_k, cross_v, enc_mask int64[B,S],
                                   past_k [L,B,H,T0,Dkv], past_v [L,B,H,T0,Dkv])
                           -> (logits float32[B,V] of the LAST new position, new_k [L,B,H,T0+t,Dkv], new_v)
                              the new tokens sit at decoder positions T0..T0+t-1 (T0 = past_k.size(3); an empty
                              cache is a size-0 dimension); self-attention is causal over past + new tokens
  fuser-bf16.pt      (--bf16) the same in bfloat16 as transformers loads T5 in bf16 (the reference runs bf16 on
                     GPU): every FFN's wo stays float32 (_keep_in_fp32_modules); logits stay float32; a float32
                     empty cache is accepted (cast inside), the returned cache is bf16
  tokenizer.json     the checkpoint's fast tokenizer (tokenizer.backend_tokenizer.save)
  fuser_config.json  our config, see CONFIG FIELDS in models/make_tiny_t5.py
  golden.json        a fusion prompt, its ids (no special tokens added), and transformers' greedy and 4-beam
                     outputs (max_new_tokens 64), for an opt-in Java parity test; the same keys as the tiny
                     fixture's golden.json, plus the checkpoint's own generation config
vocab_size is the lm_head's width (T5: 32128), larger than the tokenizer's 32100: ids past the tokenizer's
vocabulary are dropped by the Rust decoder.

T5 math re-implemented here (checked against transformers' modeling_t5): no scaling of attention scores,
RMS layer norm without bias or mean (T5LayerNorm), relative position bias only in layer 0 of each stack and
shared by the other layers (bidirectional buckets in the encoder, unidirectional in the decoder, the query
positions of a decoder step being T0..T0+t-1), no position bias in cross-attention, gated-gelu FFN
(wi_0, wi_1, gelu_new) for Flan-T5 and T5 v1.1, relu FFN (wi) for the original T5, lm_head input scaled by
d_model**-0.5 when the word embeddings are tied (original T5), fp16 clamping as transformers does.
"""
import argparse
import json
import math
import os
import sys
from typing import List, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F


def activation(x: torch.Tensor, name: str) -> torch.Tensor:
    if name == "relu":
        return F.relu(x)
    if name == "gelu_new":  # transformers' NewGELUActivation, written out as it is
        return 0.5 * x * (1.0 + torch.tanh(0.7978845608028654 * (x + 0.044715 * torch.pow(x, 3.0))))
    if name == "gelu_pytorch_tanh":
        return F.gelu(x, approximate="tanh")
    if name == "gelu":
        return F.gelu(x)
    if name == "silu" or name == "swish":
        return F.silu(x)
    raise RuntimeError("unsupported activation " + name)


def clamp_fp16(x: torch.Tensor) -> torch.Tensor:
    """transformers' T5Block clamps fp16 hidden states after each sub-layer; a no-op in other dtypes."""
    if x.dtype == torch.float16:
        c = 65504.0
        if bool(torch.isinf(x).any()):
            c = 65504.0 - 1000.0
        x = torch.clamp(x, min=-c, max=c)
    return x


def relative_bucket(rel: torch.Tensor, bidirectional: bool, num_buckets: int, max_distance: int) -> torch.Tensor:
    """transformers' T5Attention._relative_position_bucket; rel = key position - query position."""
    buckets = torch.zeros_like(rel)
    if bidirectional:
        num_buckets = num_buckets // 2
        buckets = buckets + (rel > 0).to(torch.long) * num_buckets
        rel = torch.abs(rel)
    else:
        rel = -torch.min(rel, torch.zeros_like(rel))
    max_exact = num_buckets // 2
    is_small = rel < max_exact
    large = max_exact + (torch.log(rel.float() / max_exact) / math.log(max_distance / max_exact)
                         * (num_buckets - max_exact)).to(torch.long)
    large = torch.min(large, torch.full_like(large, num_buckets - 1))
    return buckets + torch.where(is_small, rel, large)


class RMSNorm(nn.Module):
    """T5LayerNorm: no mean, no bias; variance in float32, back to the weight's dtype when half."""

    def __init__(self, weight: nn.Parameter, eps: float):
        super().__init__()
        self.weight = weight
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        var = x.to(torch.float32).pow(2).mean(-1, keepdim=True)
        x = x * torch.rsqrt(var + self.eps)
        if self.weight.dtype == torch.float16 or self.weight.dtype == torch.bfloat16:
            x = x.to(self.weight.dtype)
        return self.weight * x


class Attention(nn.Module):
    """T5Attention's projections (no biases) and its unscaled softmax attention."""

    def __init__(self, q: nn.Linear, k: nn.Linear, v: nn.Linear, o: nn.Linear, n_heads: int, d_kv: int):
        super().__init__()
        self.q = q
        self.k = k
        self.v = v
        self.o = o
        self.n_heads = n_heads
        self.d_kv = d_kv

    def heads(self, x: torch.Tensor) -> torch.Tensor:
        return x.view(x.size(0), x.size(1), self.n_heads, self.d_kv).transpose(1, 2)

    def attend(self, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        scores = torch.matmul(q, k.transpose(3, 2)) + bias
        weights = F.softmax(scores.float(), dim=-1).type_as(scores)
        out = torch.matmul(weights, v)
        return self.o(out.transpose(1, 2).reshape(out.size(0), out.size(2), self.n_heads * self.d_kv))


class FeedForward(nn.Module):
    """T5LayerFF with T5DenseActDense (relu, original T5): x + wo(act(wi(ln(x))))."""

    def __init__(self, ln: RMSNorm, wi: nn.Linear, wo: nn.Linear, act: str):
        super().__init__()
        self.ln = ln
        self.wi = wi
        self.wo = wo
        self.act = act

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = activation(self.wi(self.ln(x)), self.act)
        return x + self.wo(h.to(self.wo.weight.dtype))


class GatedFeedForward(nn.Module):
    """T5LayerFF with T5DenseGatedActDense (gated-gelu, Flan-T5): x + wo(act(wi_0(h)) * wi_1(h)), h = ln(x)."""

    def __init__(self, ln: RMSNorm, wi_0: nn.Linear, wi_1: nn.Linear, wo: nn.Linear, act: str):
        super().__init__()
        self.ln = ln
        self.wi_0 = wi_0
        self.wi_1 = wi_1
        self.wo = wo
        self.act = act

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.ln(x)
        h = activation(self.wi_0(h), self.act) * self.wi_1(h)
        return x + self.wo(h.to(self.wo.weight.dtype))


class EncoderLayer(nn.Module):
    def __init__(self, ln: RMSNorm, attn: Attention, ff: nn.Module):
        super().__init__()
        self.ln = ln
        self.attn = attn
        self.ff = ff

    def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        h = self.ln(x)
        a = self.attn
        x = clamp_fp16(x + a.attend(a.heads(a.q(h)), a.heads(a.k(h)), a.heads(a.v(h)), bias))
        return clamp_fp16(self.ff(x))


class DecoderLayer(nn.Module):
    def __init__(self, ln_self: RMSNorm, self_attn: Attention, ln_cross: RMSNorm, cross_attn: Attention,
                 ff: nn.Module):
        super().__init__()
        self.ln_self = ln_self
        self.self_attn = self_attn
        self.ln_cross = ln_cross
        self.cross_attn = cross_attn
        self.ff = ff

    def cross_kv(self, enc: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        c = self.cross_attn
        return c.heads(c.k(enc)), c.heads(c.v(enc))

    def forward(self, x: torch.Tensor, self_bias: torch.Tensor, cross_bias: torch.Tensor, ck: torch.Tensor,
                cv: torch.Tensor, pk: torch.Tensor, pv: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        s = self.self_attn
        h = self.ln_self(x)
        k = torch.cat([pk, s.heads(s.k(h))], dim=2)
        v = torch.cat([pv, s.heads(s.v(h))], dim=2)
        x = clamp_fp16(x + s.attend(s.heads(s.q(h)), k, v, self_bias))
        c = self.cross_attn
        h = self.ln_cross(x)
        x = clamp_fp16(x + c.attend(c.heads(c.q(h)), ck, cv, cross_bias))
        return clamp_fp16(self.ff(x)), k, v


class T5Fuser(nn.Module):
    """A T5 encoder-decoder with the interface blender-fuser's Java decoding loop calls (see the docstring)."""

    def __init__(self, embed: nn.Embedding, enc_rel: nn.Embedding, enc_layers: List[EncoderLayer],
                 enc_ln: RMSNorm, dec_rel: nn.Embedding, dec_layers: List[DecoderLayer], dec_ln: RMSNorm,
                 lm_head: nn.Linear, num_buckets: int, max_distance: int, d_model: int, tied: bool,
                 mask_value: float):
        super().__init__()
        self.embed = embed
        self.enc_rel = enc_rel
        self.enc_layers = nn.ModuleList(enc_layers)
        self.enc_ln = enc_ln
        self.dec_rel = dec_rel
        self.dec_layers = nn.ModuleList(dec_layers)
        self.dec_ln = dec_ln
        self.lm_head = lm_head
        self.num_buckets = num_buckets
        self.max_distance = max_distance
        self.tied = tied
        self.lm_scale = float(d_model) ** -0.5
        self.mask_value = mask_value  # torch.finfo(dtype).min, as transformers masks

    def position_bias(self, table: torch.Tensor, q_start: int, q_len: int, k_len: int, bidirectional: bool,
                      device: torch.device) -> torch.Tensor:
        ctx = torch.arange(q_start, q_start + q_len, dtype=torch.long, device=device).unsqueeze(1)
        mem = torch.arange(k_len, dtype=torch.long, device=device).unsqueeze(0)
        buckets = relative_bucket(mem - ctx, bidirectional, self.num_buckets, self.max_distance)
        return F.embedding(buckets, table).permute(2, 0, 1).unsqueeze(0)  # [1, H, q, k]

    def encoder(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        x = self.embed(input_ids)
        s = input_ids.size(1)
        mask = (1.0 - attention_mask.to(x.dtype)).unsqueeze(1).unsqueeze(2) * self.mask_value
        bias = self.position_bias(self.enc_rel.weight, 0, s, s, True, input_ids.device) + mask
        for layer in self.enc_layers:
            x = layer(x, bias)
        return self.enc_ln(x)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        return self.encode(input_ids, attention_mask)

    @torch.jit.export
    def encode(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        enc = self.encoder(input_ids, attention_mask)
        ks: List[torch.Tensor] = []
        vs: List[torch.Tensor] = []
        for layer in self.dec_layers:
            k, v = layer.cross_kv(enc)
            ks.append(k)
            vs.append(v)
        return torch.stack(ks), torch.stack(vs)

    @torch.jit.export
    def decode_step(self, tokens: torch.Tensor, cross_k: torch.Tensor, cross_v: torch.Tensor,
                    enc_mask: torch.Tensor, past_k: torch.Tensor,
                    past_v: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        x = self.embed(tokens)
        t = tokens.size(1)
        t0 = past_k.size(3)
        dev = tokens.device
        q_pos = torch.arange(t0, t0 + t, dtype=torch.long, device=dev).unsqueeze(1)
        k_pos = torch.arange(t0 + t, dtype=torch.long, device=dev).unsqueeze(0)
        causal = (k_pos > q_pos).to(x.dtype) * self.mask_value
        self_bias = self.position_bias(self.dec_rel.weight, t0, t, t0 + t, False, dev) + causal
        cross_bias = (1.0 - enc_mask.to(x.dtype)).unsqueeze(1).unsqueeze(2) * self.mask_value
        past_k = past_k.to(x.dtype)
        past_v = past_v.to(x.dtype)
        ks: List[torch.Tensor] = []
        vs: List[torch.Tensor] = []
        for i, layer in enumerate(self.dec_layers):
            x, k, v = layer(x, self_bias, cross_bias, cross_k[i], cross_v[i], past_k[i], past_v[i])
            ks.append(k)
            vs.append(v)
        h = self.dec_ln(x[:, t - 1, :])
        if self.tied:
            h = h * self.lm_scale
        return self.lm_head(h).float(), torch.stack(ks), torch.stack(vs)


def cast(model: T5Fuser, dtype: torch.dtype) -> T5Fuser:
    """Converts the module IN PLACE to dtype (with the parameters it shares with a transformers model) the way
    transformers loads T5 in half precision: every FFN's wo stays float32 (T5PreTrainedModel's
    _keep_in_fp32_modules = ["wo"]; the residual stream then turns float32 after the first FFN, as there) and the
    masks use torch.finfo(dtype).min."""
    model.to(dtype)
    for m in model.modules():
        if isinstance(m, (FeedForward, GatedFeedForward)):
            m.wo.float()
    model.mask_value = torch.finfo(dtype).min
    return model


def empty_cache(cross_k: torch.Tensor, batch: int) -> Tuple[torch.Tensor, torch.Tensor]:
    """An empty self-attention cache [L, batch, H, 0, Dkv] shaped and typed after encode's cross_k."""
    shape = (cross_k.size(0), batch, cross_k.size(2), 0, cross_k.size(4))
    return cross_k.new_zeros(shape), cross_k.new_zeros(shape)


# ---------------------------------------------------------------------------------------------------------------
# Decoding loops over encode / decode_step (the same loops as models/make_tiny_t5.py; kept here so that this
# script needs nothing from that one). They follow transformers' greedy and beam search (4.38 .. 4.4x).

def greedy(fuser, input_ids: torch.Tensor, attention_mask: torch.Tensor, start: int, eos: int, pad: int,
           max_new_tokens: int) -> List[List[int]]:
    """Greedy decoding of a batch; rows that ended get pad tokens fed, as transformers does. Returns each row's
    new tokens, cut before its EOS (a row that hit max_new_tokens has no EOS)."""
    b = input_ids.size(0)
    ck, cv = fuser.encode(input_ids, attention_mask)
    pk, pv = empty_cache(ck, b)
    tokens = torch.full((b, 1), start, dtype=torch.long)
    out: List[List[int]] = [[] for _ in range(b)]
    done = [False] * b
    for _ in range(max_new_tokens):
        logits, pk, pv = fuser.decode_step(tokens, ck, cv, attention_mask, pk, pv)
        nxt = logits.argmax(dim=-1).tolist()
        for r in range(b):
            if done[r]:
                nxt[r] = pad
            elif nxt[r] == eos:
                done[r] = True
            else:
                out[r].append(nxt[r])
        if all(done):
            break
        tokens = torch.tensor(nxt, dtype=torch.long).unsqueeze(1)
    return out


class Hypotheses:
    """transformers' BeamHypotheses with length_penalty and early_stopping=False."""

    def __init__(self, num_beams: int, length_penalty: float):
        self.num_beams = num_beams
        self.length_penalty = length_penalty
        self.beams = []  # (score, tokens, sum_logprobs, ended_with_eos)
        self.worst_score = 1e9

    def add(self, tokens, sum_logprobs: float, generated_len: int, eos: bool):
        score = sum_logprobs / (generated_len ** self.length_penalty)
        if len(self.beams) < self.num_beams or score > self.worst_score:
            self.beams.append((score, tokens, sum_logprobs, eos))
            if len(self.beams) > self.num_beams:
                ranked = sorted([(b[0], i) for i, b in enumerate(self.beams)])
                del self.beams[ranked[0][1]]
                self.worst_score = ranked[1][0]
            else:
                self.worst_score = min(score, self.worst_score)

    def is_done(self, best_sum_logprobs: float, cur_len: int, decoder_prompt_len: int) -> bool:
        if len(self.beams) < self.num_beams:
            return False
        return self.worst_score >= best_sum_logprobs / (cur_len - decoder_prompt_len) ** self.length_penalty


def beam_search(fuser, input_ids: torch.Tensor, attention_mask: torch.Tensor, start: int, eos: int,
                num_beams: int, max_new_tokens: int, length_penalty: float = 1.0, stop_on: str = "running"):
    """transformers' beam search (early_stopping=False, one returned sequence) for one prompt ([1, S]).

    Each step: scores = beam score + log_softmax(logits) (beams 1.. start at -1e9); the top 2*num_beams of
    beams x vocab are walked in order: an EOS among the first num_beams becomes a finished hypothesis (its tokens
    without the EOS, score = sum_logprobs / generated_len ** length_penalty, generated_len counting the EOS), the
    other non-EOS candidates fill the num_beams running beams; at most num_beams hypotheses are kept. Done when
    num_beams hypotheses exist and the worst of them >= best / (cur_len - 1) ** length_penalty, cur_len being the
    decoder length with the start token and the token just chosen, and best:
      stop_on="running":   the best running beam's sum (transformers >= 4.50, vectorized _beam_search)
      stop_on="candidate": the best of the 2*num_beams candidates, an EOS one included (4.38 .. 4.49,
                           BeamSearchScorer.is_done(next_scores.max(), cur_len, decoder_prompt_len))
    At max_new_tokens the running beams become hypotheses (generated_len = their token count). The two rules
    rarely differ. Returns (tokens without the start token and the EOS, score, sum of log-probs, ended_with_eos)."""
    assert stop_on in ("running", "candidate"), stop_on
    ck, cv = fuser.encode(input_ids, attention_mask)
    ck = ck.expand(-1, num_beams, -1, -1, -1).contiguous()
    cv = cv.expand(-1, num_beams, -1, -1, -1).contiguous()
    mask = attention_mask.expand(num_beams, -1).contiguous()
    pk, pv = empty_cache(ck, num_beams)
    seqs = [[start] for _ in range(num_beams)]
    beam_scores = torch.zeros(num_beams, dtype=torch.float32)
    beam_scores[1:] = -1e9
    hyps = Hypotheses(num_beams, length_penalty)
    tokens = torch.full((num_beams, 1), start, dtype=torch.long)
    done = False
    for _ in range(max_new_tokens):
        logits, pk, pv = fuser.decode_step(tokens, ck, cv, mask, pk, pv)
        scores = F.log_softmax(logits.float(), dim=-1) + beam_scores[:, None]
        vocab = scores.size(1)
        top_scores, top_ids = torch.topk(scores.view(-1), 2 * num_beams, largest=True, sorted=True)
        cur_len = len(seqs[0]) + 1
        next_scores, next_tokens, next_beams = [], [], []
        for rank, (s, flat) in enumerate(zip(top_scores.tolist(), top_ids.tolist())):
            beam, tok = flat // vocab, flat % vocab
            if tok == eos:
                if rank >= num_beams:
                    continue
                hyps.add(list(seqs[beam]), s, cur_len - 1, True)
            else:
                next_scores.append(s)
                next_tokens.append(tok)
                next_beams.append(beam)
            if len(next_tokens) == num_beams:
                break
        done = hyps.is_done(next_scores[0] if stop_on == "running" else top_scores[0].item(), cur_len, 1)
        beam_scores = torch.tensor(next_scores, dtype=torch.float32)
        seqs = [seqs[b] + [t] for b, t in zip(next_beams, next_tokens)]
        index = torch.tensor(next_beams, dtype=torch.long)
        pk, pv = pk.index_select(1, index), pv.index_select(1, index)
        tokens = torch.tensor(next_tokens, dtype=torch.long).unsqueeze(1)
        if done:
            break
    if not done:
        for b in range(num_beams):
            hyps.add(list(seqs[b]), beam_scores[b].item(), len(seqs[b]) - 1, False)
    score, seq, sum_logprobs, ended = sorted(hyps.beams, key=lambda h: h[0])[-1]
    return seq[1:], score, sum_logprobs, ended


# ---------------------------------------------------------------------------------------------------------------
# Export of a transformers checkpoint (everything below needs `transformers`; imported inside main only, so that
# models/make_tiny_t5.py can use the classes above with nothing but torch).

def fusion_prompt(instruction, input_, candidates):
    """The spec's GenFuser prompt (section 3), as models/make_tiny_t5.py builds it."""
    parts = [f"Instruction: {instruction}</s>Input: {input_}</s>"]
    parts += [f"Candidate {i}: <extra_id_{i}>:{c}</s>" for i, c in enumerate(candidates)]
    parts.append("Summarize candidates into a better one for the given instruction:")
    return "".join(parts)


def from_hf(hf) -> T5Fuser:
    """A T5Fuser whose parameters ARE the transformers model's (shared, not copied)."""
    cfg = hf.config
    if cfg.model_type != "t5":
        sys.exit(f"model_type {cfg.model_type!r}: only T5 / Flan-T5 (model_type t5) is supported")
    gated = bool(getattr(cfg, "is_gated_act", cfg.feed_forward_proj.startswith("gated-")))
    act = getattr(cfg, "dense_act_fn", None) or cfg.feed_forward_proj.split("-")[-1]
    if act == "gelu" and cfg.feed_forward_proj == "gated-gelu":
        act = "gelu_new"  # transformers maps gated-gelu to gelu_new for T5 v1.1 / Flan-T5
    enc_embed, dec_embed = hf.encoder.embed_tokens, hf.decoder.embed_tokens
    if not torch.equal(enc_embed.weight, dec_embed.weight):
        sys.exit("encoder and decoder embeddings differ: not a standard T5")

    def ln(m):  # T5LayerNorm (variance_epsilon) or apex's FusedRMSNorm (eps), which transformers uses if installed
        return RMSNorm(m.weight, float(getattr(m, "variance_epsilon", getattr(m, "eps", cfg.layer_norm_epsilon))))

    def attn(a):
        return Attention(a.q, a.k, a.v, a.o, int(a.n_heads), int(a.key_value_proj_dim))

    def ff(layer):
        d = layer.DenseReluDense
        if gated:
            return GatedFeedForward(ln(layer.layer_norm), d.wi_0, d.wi_1, d.wo, act)
        return FeedForward(ln(layer.layer_norm), d.wi, d.wo, act)

    enc = [EncoderLayer(ln(b.layer[0].layer_norm), attn(b.layer[0].SelfAttention), ff(b.layer[1]))
           for b in hf.encoder.block]
    dec = [DecoderLayer(ln(b.layer[0].layer_norm), attn(b.layer[0].SelfAttention), ln(b.layer[1].layer_norm),
                        attn(b.layer[1].EncDecAttention), ff(b.layer[2])) for b in hf.decoder.block]
    return T5Fuser(enc_embed, hf.encoder.block[0].layer[0].SelfAttention.relative_attention_bias, enc,
                   ln(hf.encoder.final_layer_norm), hf.decoder.block[0].layer[0].SelfAttention.relative_attention_bias,
                   dec, ln(hf.decoder.final_layer_norm), hf.lm_head, int(cfg.relative_attention_num_buckets),
                   int(cfg.relative_attention_max_distance), int(cfg.d_model), bool(cfg.tie_word_embeddings),
                   torch.finfo(torch.float32).min).eval()


def rel_diff(a: torch.Tensor, b: torch.Tensor) -> float:
    return (a.float() - b.float()).abs().max().item() / max(1.0, b.float().abs().max().item())


def hf_ids(sequence, start, eos, pad):
    """transformers' output row -> new tokens without the start token, cut before the first EOS (or pad)."""
    ids = sequence.tolist()
    assert ids[0] == start, ids[:3]
    out = []
    for t in ids[1:]:
        if t == eos or (t == pad and pad != start):
            return out, t == eos
        out.append(t)
    return out, False


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="hub name or local directory of a T5 / Flan-T5 checkpoint")
    ap.add_argument("--tokenizer", default=None, help="where its tokenizer is, if not beside the model "
                                                     "(e.g. google/flan-t5-xl for llm-blender/gen_fuser_3b)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--bf16", action="store_true", help="also write fuser-bf16.pt (bfloat16 weights, for GPUs)")
    ap.add_argument("--max-source-length", type=int, default=1024)
    ap.add_argument("--candidate-max-length", type=int, default=128)
    ap.add_argument("--max-target-positions", type=int, default=512)
    ap.add_argument("--check-new-tokens", type=int, default=64)
    args = ap.parse_args()

    import transformers
    from transformers import AutoTokenizer, GenerationConfig, T5ForConditionalGeneration

    torch.manual_seed(0)
    os.makedirs(args.out, exist_ok=True)
    tokenizer = AutoTokenizer.from_pretrained(args.tokenizer or args.model)
    if not tokenizer.is_fast:
        sys.exit("need a fast tokenizer (tokenizer.json); pip install sentencepiece and retry")
    backend = tokenizer.backend_tokenizer
    backend.no_truncation()
    backend.no_padding()
    backend.save(os.path.join(args.out, "tokenizer.json"))

    hf = T5ForConditionalGeneration.from_pretrained(args.model, torch_dtype=torch.float32).eval()
    cfg = hf.config
    start, eos, pad = int(cfg.decoder_start_token_id), int(cfg.eos_token_id), int(cfg.pad_token_id)
    for tok, want in (("</s>", eos), ("<pad>", pad)):
        got = backend.token_to_id(tok)
        if got != want:
            sys.exit(f"tokenizer maps {tok} to {got}, the model expects {want}")
    sentinel0 = backend.token_to_id("<extra_id_0>")
    if sentinel0 is None:
        sys.exit("the tokenizer has no <extra_id_0> sentinel")

    fuser = from_hf(hf)
    model_path = os.path.join(args.out, "fuser.pt")
    torch.jit.script(fuser).save(model_path)
    scripted = torch.jit.load(model_path)

    # The check prompt: the spec's fusion prompt, candidates cut to candidate_max_length tokens ("..." if cut).
    candidates = ["Janet sells 16 - 3 - 4 = 9 duck eggs a day. She makes 9 * $2 = $18 every day at the farmer's market.",
                  "She has 16 - 3 - 4 = 9 eggs left, so she makes 9 * 2 = 18 dollars.",
                  "The answer is $18."]
    cut = []
    for c in candidates:
        ids = backend.encode(c, add_special_tokens=False).ids
        cut.append(c if len(ids) <= args.candidate_max_length
                   else backend.decode(ids[:args.candidate_max_length], skip_special_tokens=True) + "...")
    text = fusion_prompt("Janet's ducks lay 16 eggs per day. She eats three for breakfast and bakes muffins with four. "
                         "She sells the remainder for $2 per egg. How much does she make every day?", "", cut)
    ids = backend.encode(text, add_special_tokens=False).ids[:args.max_source_length]
    assert eos in ids and sentinel0 in ids, "</s> and <extra_id_0> must be single tokens in the prompt"
    x = torch.tensor([ids])
    mask = torch.ones_like(x)

    report = {}
    with torch.no_grad():
        # 1. encoder + cross K/V against transformers' own encoder and EncDecAttention projections
        enc_out = hf.encoder(input_ids=x, attention_mask=mask).last_hidden_state
        ck, cv = scripted.encode(x, mask)
        for i, b in enumerate(hf.decoder.block):
            a = b.layer[1].EncDecAttention
            want_k = a.k(enc_out).view(1, -1, a.n_heads, a.key_value_proj_dim).transpose(1, 2)
            want_v = a.v(enc_out).view(1, -1, a.n_heads, a.key_value_proj_dim).transpose(1, 2)
            report["cross_kv"] = max(report.get("cross_kv", 0.0), rel_diff(ck[i], want_k), rel_diff(cv[i], want_v))

        # 2. greedy and beam search against generate(). Our GenerationConfig replaces the model's for these calls
        # (transformers >= 4.50 would fill a passed config's unset fields from the model's own), so that both sides
        # run plain greedy / beam search; the model's own settings are printed and kept in golden.json.
        common = dict(decoder_start_token_id=start, eos_token_id=eos, pad_token_id=pad, do_sample=False,
                      max_new_tokens=args.check_new_tokens)
        own = hf.generation_config
        hf.generation_config = GenerationConfig(num_beams=1, **common)
        hf_greedy = hf.generate(input_ids=x, attention_mask=mask)
        hf.generation_config = GenerationConfig(num_beams=4, length_penalty=1.0, early_stopping=False,
                                                num_return_sequences=1, **common)
        hf_beam = hf.generate(input_ids=x, attention_mask=mask, output_scores=True, return_dict_in_generate=True)
        hf.generation_config = own
        want_greedy, want_greedy_eos = hf_ids(hf_greedy[0], start, eos, pad)
        want_beam, want_beam_eos = hf_ids(hf_beam.sequences[0], start, eos, pad)
        got_greedy = greedy(scripted, x, mask, start, eos, pad, args.check_new_tokens)[0]
        beams = {rule: beam_search(scripted, x, mask, start, eos, 4, args.check_new_tokens, stop_on=rule)
                 for rule in ("running", "candidate")}

        # 3. logits of the whole greedy prefix: transformers' forward vs decode_step (empty cache) vs token by token
        prefix = [start] + want_greedy
        hf_logits = hf(input_ids=x, attention_mask=mask, decoder_input_ids=torch.tensor([prefix])).logits[:, -1]
        full, _, _ = scripted.decode_step(torch.tensor([prefix]), ck, cv, mask, *empty_cache(ck, 1))
        pk, pv = empty_cache(ck, 1)
        for t in prefix:
            step, pk, pv = scripted.decode_step(torch.tensor([[t]]), ck, cv, mask, pk, pv)
        report["logits_full_vs_transformers"] = rel_diff(full, hf_logits)
        report["logits_cached_vs_full"] = rel_diff(step, full)

    matching = [rule for rule, b in beams.items() if b[0] == want_beam]
    if matching:
        hf_score = float(hf_beam.sequences_scores[0])
        report["beam_score_vs_transformers"] = abs(beams[matching[0]][1] - hf_score) / max(1.0, abs(hf_score))
    print(f"transformers {transformers.__version__}, torch {torch.__version__}: relative differences {report}")
    failures = [k for k, v in report.items() if v > 1e-3]
    if got_greedy != want_greedy:
        failures.append(f"greedy {got_greedy} != transformers {want_greedy}")
    if not matching:
        failures.append(f"beam {beams['running'][0]} != transformers {want_beam}")
    if failures:
        sys.exit("export check failed (fuser.pt written, but do not use it): " + "; ".join(map(str, failures)))
    beam_ids, beam_score, beam_sum, beam_eos = beams[matching[0]]
    own_settings = {k: v for k, v in own.to_diff_dict().items() if k != "transformers_version"}
    print(f"the checkpoint's own generation config (the reference's generate() would apply it): {own_settings}")
    print(f"greedy ({len(want_greedy)} tokens) and 4-beam ({len(want_beam)} tokens, stop rule {matching}) match "
          f"transformers.generate: {backend.decode(want_beam, skip_special_tokens=True)!r}")

    if args.bf16:  # last: converts the transformers model too (shared parameters), to spare memory
        twin = cast(fuser, torch.bfloat16)
        torch.jit.script(twin).save(os.path.join(args.out, "fuser-bf16.pt"))
        with torch.no_grad():
            bf = greedy(torch.jit.load(os.path.join(args.out, "fuser-bf16.pt")), x, mask, start, eos, pad,
                        args.check_new_tokens)[0]
        same = next((i for i, (a, b) in enumerate(zip(bf, want_greedy)) if a != b), min(len(bf), len(want_greedy)))
        print(f"bf16 twin: its greedy output shares its first {same} of {len(want_greedy)} tokens with fp32's "
              f"(informative: bf16 rounding may change a near tie)")

    config = {
        "format": "blender-genfuser/1",
        "name": args.model,
        "model_file": "fuser.pt",
        "tokenizer_file": "tokenizer.json",
        "decoder_start_token_id": start,
        "eos_token_id": eos,
        "pad_token_id": pad,
        "num_layers": int(cfg.num_decoder_layers),
        "num_heads": int(cfg.num_heads),
        "head_dim": int(cfg.d_kv),
        "vocab_size": int(hf.lm_head.out_features),
        "max_source_length": args.max_source_length,
        "candidate_max_length": args.candidate_max_length,
        "max_target_positions": args.max_target_positions,
        "precision": "auto",
    }
    if args.bf16:
        config["bf16_model_file"] = "fuser-bf16.pt"
    with open(os.path.join(args.out, "fuser_config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2)

    texts = ["Janet’s ducks lay 16 eggs per day.", " two  spaces\nand a new line ", "a</s>b<extra_id_7> c", text]
    golden = {
        "note": f"made by models/export_t5.py from {args.model} with transformers {transformers.__version__}: "
                "ids and decodes from the Rust tokenizer, outputs from transformers.generate (checked equal to "
                "fuser.pt driven by this script's loops)",
        "tokenization": {"examples": [{"text": t, "ids": backend.encode(t, add_special_tokens=False).ids,
                                       "decoded": backend.decode(backend.encode(t, add_special_tokens=False).ids,
                                                                 skip_special_tokens=True)} for t in texts]},
        "decoding": {
            "note": "plain greedy / beam search (4 beams, length_penalty 1.0, early_stopping false); the "
                    "checkpoint's own generation config is in model_generation_config",
            "model_generation_config": own_settings,
            "max_new_tokens": args.check_new_tokens,
            "num_beams": 4,
            "prompts": [{
                "name": "fusion_k3", "text": text, "input_ids": ids,
                "greedy": {"ids": want_greedy, "ended_with_eos": want_greedy_eos,
                           "text": backend.decode(want_greedy, skip_special_tokens=True)},
                "beam": {"ids": want_beam, "ended_with_eos": want_beam_eos, "score": beam_score,
                         "sum_logprobs": beam_sum, "transformers_sequence_score": float(hf_beam.sequences_scores[0]),
                         "text": backend.decode(want_beam, skip_special_tokens=True)},
            }],
        },
    }
    with open(os.path.join(args.out, "golden.json"), "w", encoding="utf-8") as f:
        json.dump(golden, f, indent=1, ensure_ascii=False)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
