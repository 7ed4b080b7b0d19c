#!/usr/bin/env python3
"""Build the ranker's preference corpus (issue 25) and its multi-source dev set (issue 28 for Chinese).

usage: build_corpus.py [--stage 1|2|3] [--mirror /work/.mirror] [--out models/build/corpus]

Reads pinned commits of public repositories from bare git snapshots brought by the `fetch` tool
(/work/.mirror/<owner>+<name>/repo, read with `git show COMMIT:PATH`), plus the shared pair files
(../shared/data/preferences), and writes JSONL pairs in the common pair format
(../shared/data/preferences/README.md) with a trailing "lang" key:

  <out>/train.jsonl, <out>/dev.jsonl            English (stage 1: human sources; stage 2: all)
  <out>/zh-train.jsonl, <out>/zh-dev.jsonl      Chinese (stage 3)
  <out>/manifest.json                           counts per file and source
  <out>/raw/*.jsonl                             the files before check-heldout --clean

Every output file is the --clean output of ../shared/tools/check-heldout. Stdlib only; deterministic
(all choices by sha256, sorted output): a rerun gives byte-identical files.
"""
import argparse, ast, csv, hashlib, io, json, os, re, subprocess, sys, tarfile, zipfile
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
MAIN = os.path.abspath(os.path.join(HERE, '..', '..'))
SHARED = os.path.abspath(os.path.join(MAIN, '..', 'shared'))

# ------------------------------------------------------------------ sources (pinned) ----------
REPOS = {
    'finegrained': ('allenai/FineGrainedRLHF', 'a1469d4eba0b3754bcb343beb88f0aca24bf4848'),
    'summeval': ('DAMO-NLP-SG/LLM_summeval', 'bd7dde15817a88940c17574973ff03e750356daa'),
    'topicalchat': ('maszhongming/UniEval', 'd33e7b6cfebe97b2bafe435adbd818230d5a416a'),
    'mmlu-pro': ('TIGER-AI-Lab/MMLU-Pro', 'f418b116db00b065c2aea046518d8fcf74d39872'),
    'zeroeval-gsm': ('yuchenlin/ZeroEval', '570c6269a2e4930ee06a17e713fece1ba52cf1dd'),
    'gsm8k-solutions': ('openai/grade-school-math', '3101c7d5072418e28b9008a6636bde82a006892c'),
    'dpo-en-demo': ('hiyouga/LLaMA-Factory', 'ff6d4d12eeb035d6ce06805a5733dd7b29f2ac30'),
    'oasst-zh': ('hiyouga/LLaMA-Factory', '569ed592b61da573326cd405f932a2cb6fff9b30'),
    'dpo-zh-demo': ('hiyouga/LLaMA-Factory', 'ff6d4d12eeb035d6ce06805a5733dd7b29f2ac30'),
    'medical-dpo-zh': ('shibing624/MedicalGPT', '2f1008cfa49cbba69ff6f138c3b5e2fb0646bdc7'),
    'chinese-alpaca-eval': ('ymcui/Chinese-LLaMA-Alpaca', '090475fbebcca06af2ae52c5227fe1617e22072a'),
    'wmt-mqm-zhen': ('google/wmt-mqm-human-evaluation', '7fadea281aff8db61cc72fc3d469a4dca78b82a6'),
}
SHARED_COMMITS = {  # the shared files were built from these (see preferences/README.md)
    'arena-bench': 'lmarena/arena-hard-auto@4a705dd6963f777aba2ae79259e3013934e6e012',
    'oasst': 'LAION-AI/Open-Assistant@f1e6ed9526f5817531f3ab85441a40b3671ddccb',
    'hh-rlhf': 'anthropics/hh-rlhf (harmless-base/test.jsonl.gz)',
    'llmeval2': 'AlibabaResearch/DAMO-ConvAI@621d6e6a1f11a4628e8abe0dac81f71d3ca7614e',
}

# English sources per stage; Chinese in stage 3
STAGE_EN = {1: ['finegrained', 'summeval', 'topicalchat'],
            2: ['finegrained', 'summeval', 'topicalchat', 'mmlu-pro', 'zeroeval-gsm', 'gsm8k-solutions',
                'dpo-en-demo']}
ZH_SOURCES = ['oasst-zh', 'chinese-alpaca-eval', 'wmt-mqm-zhen', 'dpo-zh-demo', 'medical-dpo-zh']

# dev construction: (fraction of prompts, max dev pairs) per human-judged source
DEV_SPEC = {'finegrained': (0.20, 600), 'summeval': (0.20, 600), 'topicalchat': (0.34, 600),
            'oasst': (0.30, 600), 'hh-rlhf': (0.22, 600), 'oasst-zh': (0.35, 600)}
GROUP_CAP = 15                 # at most this many train pairs per prompt (group)
GROUP_CAP_SRC = {'wmt-mqm-zhen': 3}  # translation: many segments, few pairs each
SOURCE_CAP = {'mmlu-pro': 6000, 'wmt-mqm-zhen': 1500, 'dpo-zh-demo': 300, 'medical-dpo-zh': 500}
MMLU_QUESTIONS = 4000          # MMLU-Pro: one pair for each of 4000 questions, a second for 2000 of them
DEV_GROUP_CAP = 40             # dev: at most this many pairs per prompt
DEMO_FILES = ('blender-cli/src/main/resources/io/llmblender/cli/data/zh-demo.jsonl',)  # dropped from train and dev

LIC = {
    'finegrained': 'Apache-2.0 (FineGrainedRLHF); passages from Wikipedia (CC BY-SA)',
    'summeval': 'MIT (SummEval annotations); re-host DAMO-NLP-SG/LLM_summeval has no licence file; CNN/DailyMail articles',
    'topicalchat': 'MIT (UniEval); Topical-Chat CDLA-Sharing-1.0',
    'mmlu-pro': 'Apache-2.0 (MMLU-Pro); answers of the models named in model_a/model_b',
    'zeroeval-gsm': 'Apache-2.0 (ZeroEval); GSM8K MIT; answers of the models named in model_a/model_b',
    'gsm8k-solutions': 'MIT',
    'dpo-en-demo': 'Apache-2.0 (LLaMA-Factory demo data)',
    'oasst-zh': 'Apache-2.0 (LLaMA-Factory; Open-Assistant oasst1)',
    'dpo-zh-demo': 'Apache-2.0 (LLaMA-Factory demo data)',
    'medical-dpo-zh': 'Apache-2.0 (MedicalGPT)',
    'chinese-alpaca-eval': 'Apache-2.0 (Chinese-LLaMA-Alpaca)',
    'wmt-mqm-zhen': 'Apache-2.0 (google/wmt-mqm-human-evaluation)',
}
JUDGE = {
    'finegrained': 'human', 'summeval': 'human', 'topicalchat': 'human', 'mmlu-pro': 'correctness',
    'zeroeval-gsm': 'correctness', 'gsm8k-solutions': 'correctness', 'dpo-en-demo': 'unknown',
    'oasst-zh': 'human', 'dpo-zh-demo': 'unknown', 'medical-dpo-zh': 'unknown', 'chinese-alpaca-eval': 'gpt-4',
    'wmt-mqm-zhen': 'human-mqm',
}


def sha(s):
    return hashlib.sha256(s.encode('utf-8')).hexdigest()


def norm(s):
    return ' '.join(s.lower().split())


def loose(s):
    return re.sub(r'[\W_]+', '', re.sub(r'(^|\n)\s*(user|assistant|human)\s*:', ' ', s.lower()))


def die(msg):
    sys.stderr.write('build_corpus: ' + msg + '\n')
    sys.exit(2)


# ------------------------------------------------------------------ git snapshot access -------
class Repo:
    def __init__(self, mirror, key):
        name, commit = REPOS[key]
        self.name, self.commit = name, commit
        cands = [os.path.join(mirror, name.replace('/', '+'), 'repo'), os.path.join(mirror, name.replace('/', '+'))]
        self.dir = next((c for c in cands if os.path.isdir(c)), None)
        if self.dir is None:
            die(f'source {key}: snapshot of {name} not found under {mirror}; run fetch(source="github:{name}") first')
        r = subprocess.run(['git', '-C', self.dir, 'cat-file', '-e', commit + '^{commit}'], capture_output=True)
        if r.returncode != 0:
            die(f'source {key}: commit {commit} missing in {self.dir}; run fetch(source="github:{name}") again')

    def ls(self, prefix):
        out = subprocess.run(['git', '-C', self.dir, 'ls-tree', '-r', '-l', self.commit, prefix],
                             capture_output=True, text=True, check=True).stdout
        rows = []
        for line in out.splitlines():
            meta, path = line.split('\t', 1)
            size = meta.split()[3]
            rows.append((path, size))
        return sorted(rows)

    def show(self, path):
        r = subprocess.run(['git', '-C', self.dir, 'show', f'{self.commit}:{path}'], capture_output=True)
        if r.returncode != 0:
            die(f'{self.name}@{self.commit}: cannot read {path} (absent blob?): {r.stderr.decode()[:200]}')
        data = r.stdout
        if data.startswith(b'version https://git-lfs'):
            die(f'{self.name}: {path} is a Git LFS pointer')
        return data


# ------------------------------------------------------------------ pair construction ---------
def swap_sides(extra):
    """The extra keys of a pair with a and b swapped: each *_a value moves to *_b and back, in the original key order."""
    sw = {}
    for k, v in extra.items():
        if k.endswith('_a'):
            sw[k[:-2] + '_b'] = v
        elif k.endswith('_b'):
            sw[k[:-2] + '_a'] = v
        else:
            sw[k] = v
    return {k: sw[k] for k in extra}


def mk(source, subset, prompt, better, worse, tie, group, lang, core=None, extra=None):
    """A pair with the winner first (or, for ties, the source's order)."""
    return {'source': source, 'subset': subset, 'prompt': prompt.strip(), 'a': better.strip(), 'b': worse.strip(),
            'tie': tie, 'group': group, 'lang': lang, 'core': core, 'extra': extra or {}}


def flatten(turns):
    """turns: [(role, text)] with role user|assistant -> USER:/ASSISTANT: text (single user turn: plain)."""
    if len(turns) == 1 and turns[0][0] == 'user':
        return turns[0][1].strip()
    return '\n'.join(('USER: ' if r == 'user' else 'ASSISTANT: ') + t.strip() for r, t in turns)


def load_finegrained(m):
    repo = Repo(m, 'finegrained')
    data = json.loads(repo.show('tasks/qa_feedback/data/dev_feedback.json'))
    pairs = []
    order = [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)]
    for x in data:
        q = x['question'].strip()
        ctx = '\n\n'.join(' '.join(s.strip() for s in p[1:]) for p in x['passages'])
        prompt = f'{q}\n\nContext:\n{ctx}'
        preds = [x[f'prediction {i}'] for i in range(1, 5)]
        prefs = json.loads(x['preference']) if isinstance(x['preference'], str) else x['preference']
        group = 'finegrained:' + sha(norm(q))[:16]
        for (i, j), v in zip(order, prefs):
            if preds[i].strip() == preds[j].strip():
                continue
            if v == 1:
                pairs.append(mk('finegrained', 'qa-feedback', prompt, preds[i], preds[j], False, group, 'en', q))
            elif v == 2:
                pairs.append(mk('finegrained', 'qa-feedback', prompt, preds[j], preds[i], False, group, 'en', q))
            else:
                pairs.append(mk('finegrained', 'qa-feedback', prompt, preds[i], preds[j], True, group, 'en', q))
    return pairs, repo


def load_summeval(m, gap=0.5):
    repo = Repo(m, 'summeval')
    by_art = defaultdict(list)
    text = {}
    for path, size in repo.ls('model_output_annotations/'):
        for line in repo.show(path).decode('utf-8').splitlines():
            if not line.strip():
                continue
            x = json.loads(line)
            ann = x['expert_annotations']
            ann = ast.literal_eval(ann) if isinstance(ann, str) else ann
            score = sum(sum(a[d] for d in ('coherence', 'consistency', 'fluency', 'relevance')) / 4 for a in ann) / len(ann)
            by_art[x['id']].append((x['model_id'], x['decoded'], score))
            text[x['id']] = x['text']
    pairs = []
    for aid in sorted(by_art):
        outs = sorted(by_art[aid])
        prompt = 'Summarize the following news article.\n\n' + text[aid].strip()
        for i in range(len(outs)):
            for j in range(i + 1, len(outs)):
                (mi, ti, si), (mj, tj, sj) = outs[i], outs[j]
                if abs(si - sj) < gap - 1e-9 or ti.strip() == tj.strip():
                    continue
                w, l = (outs[i], outs[j]) if si > sj else (outs[j], outs[i])
                pairs.append(mk('summeval', 'expert-mean-4dims', prompt, w[1], l[1], False, 'summeval:' + aid, 'en',
                                text[aid], {'score_a': round(w[2], 4), 'score_b': round(l[2], 4),
                                            'model_a': w[0], 'model_b': l[0]}))
    return pairs, repo


def load_topicalchat(m, gap=0.5):
    repo = Repo(m, 'topicalchat')
    data = json.loads(repo.show('reproduce/data/dialogue/topical_chat.json'))
    by_ctx = defaultdict(list)
    for x in data:
        sc = x['scores']
        sc = ast.literal_eval(sc) if isinstance(sc, str) else sc
        by_ctx[(x['source'], x['context'])].append((x['system_id'], x['system_output'], float(sc['overall'])))
    pairs = []
    for (src, ctx), outs in sorted(by_ctx.items()):
        turns = [t.strip() for t in src.strip().split('\n') if t.strip()]
        n = len(turns)
        # the reply continues as the partner of the last speaker: the last turn is the USER's
        roles = ['user' if (n - 1 - k) % 2 == 0 else 'assistant' for k in range(n)]
        prompt = 'Fact: ' + ctx.strip() + '\n\n' + '\n'.join(
            ('USER: ' if r == 'user' else 'ASSISTANT: ') + t for r, t in zip(roles, turns))
        group = 'topicalchat:' + sha(norm(src) + '\n' + norm(ctx))[:16]
        outs = sorted(outs)
        for i in range(len(outs)):
            for j in range(i + 1, len(outs)):
                (mi, ti, si), (mj, tj, sj) = outs[i], outs[j]
                if abs(si - sj) < gap - 1e-9 or ti.strip() == tj.strip():
                    continue
                w, l = (outs[i], outs[j]) if si > sj else (outs[j], outs[i])
                pairs.append(mk('topicalchat', 'usr-overall', prompt, w[1], l[1], False, group, 'en', src,
                                {'score_a': round(w[2], 4), 'score_b': round(l[2], 4),
                                 'model_a': w[0], 'model_b': l[0]}))
    return pairs, repo


def load_shared_train(shared):
    """arena-bench / oasst / hh-rlhf pairs of preferences/train.jsonl.gz, winner first."""
    import gzip
    path = os.path.join(shared, 'data', 'preferences', 'train.jsonl.gz')
    pairs = []
    with gzip.open(path, 'rt', encoding='utf-8') as fh:
        for line in fh:
            r = json.loads(line)
            extra = {k: r[k] for k in r if k not in ('id', 'source', 'subset', 'prompt', 'response_a', 'response_b',
                                                     'label', 'p_a', 'judge', 'group', 'license')}
            a, b = r['response_a'], r['response_b']
            if r['label'] == 'b':
                a, b = b, a
                extra = swap_sides(extra)
            p = mk(r['source'], r['subset'], r['prompt'], a, b, r['label'] == 'tie', r['group'], 'en', None, extra)
            p['judge'], p['license'], p['orig_id'] = r['judge'], r['license'], r['id']
            pairs.append(p)
    return pairs


# ------------------------------------------------------------------ stage 2 sources -----------
_ANS = re.compile(r'answer is \(?([A-P])\)?')


def load_mmlu_pro(m):
    repo = Repo(m, 'mmlu-pro')
    per_q = {}
    outs = defaultdict(lambda: ([], []))  # qid -> (right[(model,text)], wrong[...])
    used = []
    for path, size in repo.ls('eval_results/'):
        if not path.endswith('.zip') or size == 'BAD' or '5shots' not in path:
            continue
        model = re.sub(r'^eval_results/model_outputs_|_5shots.*$', '', path)
        try:
            z = zipfile.ZipFile(io.BytesIO(repo.show(path)))
        except zipfile.BadZipFile:
            continue
        names = [n for n in z.namelist() if n.endswith('.json') and not n.startswith('__MACOSX')]
        if not names:
            continue
        used.append(model)
        for name in sorted(names):
            for x in json.loads(z.read(name)):
                if not isinstance(x, dict) or 'question_id' not in x:
                    continue  # DeepSeek-Coder-V2's file holds stray strings
                qid = str(x['question_id'])
                opts = x['options']
                opts = ast.literal_eval(opts) if isinstance(opts, str) else opts
                if qid not in per_q:
                    letters = 'ABCDEFGHIJKLMNOP'
                    per_q[qid] = (x['question'].strip() + '\n\n' + '\n'.join(
                        f'({letters[k]}) {str(o).strip()}' for k, o in enumerate(opts)), x['answer'], x.get('category'))
                gen = x.get('generated_text') or x.get('model_outputs') or ''
                mt = _ANS.search(gen)
                if not mt:
                    continue
                text = gen[:mt.end()].strip()
                if not text.endswith('.'):
                    text += '.'
                pred = mt.group(1)
                if len(text) < 20:
                    continue
                (outs[qid][0] if pred == x['answer'] else outs[qid][1]).append((model, text))
    pairs = []
    elig = []
    for qid in per_q:
        right = sorted(set(outs[qid][0]))
        wrong = sorted(set(outs[qid][1]))
        rtexts = {t for _, t in right}
        wrong = [w for w in wrong if w[1] not in rtexts]
        if right and wrong:
            elig.append(qid)
    elig.sort(key=lambda q: sha('mmlu-pro:' + q))
    for rank, qid in enumerate(elig[:MMLU_QUESTIONS]):
        prompt, gold, cat = per_q[qid]
        right = sorted(set(outs[qid][0]), key=lambda t: sha(qid + 'r' + t[0] + t[1]))
        wrong = sorted(set(outs[qid][1]), key=lambda t: sha(qid + 'w' + t[0] + t[1]))
        rtexts = {t for _, t in right}
        wrong = [w for w in wrong if w[1] not in rtexts]
        n = 2 if rank < MMLU_QUESTIONS // 2 else 1
        seen = set()
        for k in range(n):
            r, w = right[k % len(right)], wrong[k % len(wrong)]
            if (r[1], w[1]) in seen:
                continue
            seen.add((r[1], w[1]))
            pairs.append(mk('mmlu-pro', cat, prompt, r[1], w[1], False, 'mmlu-pro:' + qid, 'en', None,
                            {'model_a': r[0], 'model_b': w[0]}))
    return pairs, repo, used


def _num(s):
    s = str(s).replace(',', '').replace('$', '')
    found = re.findall(r'-?\d+(?:\.\d+)?', s)
    if not found:
        return None
    return float(found[-1])


def load_zeroeval_gsm(m):
    repo = Repo(m, 'zeroeval-gsm')
    q = {}
    outs = defaultdict(lambda: ([], []))
    used = []
    for path, size in repo.ls('result_dirs/gsm/'):
        if size == 'BAD' or not path.endswith('.json'):
            continue
        model = os.path.basename(path)[:-5]
        try:
            data = json.loads(repo.show(path))
        except ValueError:
            continue
        used.append(model)
        for x in data:
            qid = x['id']
            q[qid] = x['question'].strip()
            gold = _num(x['answer'])
            out = x['output']
            out = out[0] if isinstance(out, list) and out else out
            if not isinstance(out, str):
                continue
            body = out.strip()
            body = re.sub(r'^```(?:json)?\s*|\s*```$', '', body)
            try:
                js = json.loads(body)
                reasoning, ans = str(js['reasoning']).strip(), str(js['answer']).strip()
            except (ValueError, KeyError, TypeError):
                continue
            v = _num(ans)
            if v is None or gold is None or not reasoning:
                continue
            text = f'{reasoning}\n\nThe answer is {ans}.'
            (outs[qid][0] if abs(v - gold) < 1e-6 else outs[qid][1]).append((model, text))
    pairs = []
    for qid in sorted(q, key=lambda s: sha('zeroeval-gsm:' + s)):
        right = sorted(set(outs[qid][0]), key=lambda t: sha(qid + 'r' + t[0] + t[1]))
        wrong = sorted(set(outs[qid][1]), key=lambda t: sha(qid + 'w' + t[0] + t[1]))
        if not right or not wrong:
            continue
        for k in range(min(2, max(len(right), len(wrong)))):
            r, w = right[k % len(right)], wrong[k % len(wrong)]
            pairs.append(mk('zeroeval-gsm', 'gsm8k-test', q[qid], r[1], w[1], False,
                            'zeroeval-gsm:' + sha(norm(q[qid]))[:16], 'en', None, {'model_a': r[0], 'model_b': w[0]}))
    return pairs, repo, used


def load_gsm_solutions(m):
    repo = Repo(m, 'gsm8k-solutions')
    pairs = []
    for line in repo.show('grade_school_math/data/example_model_solutions.jsonl').decode('utf-8').splitlines():
        if not line.strip():
            continue
        x = json.loads(line)
        sols = []
        for k in ('6b_finetuning', '6b_verification', '175b_finetuning', '175b_verification'):
            s = x.get(k)
            if isinstance(s, str):
                s = ast.literal_eval(s)
            if s:
                sols.append((k, re.sub(r'<<[^>]*>>', '', s['solution']).strip(), bool(s['is_correct'])))
        right = [s for s in sols if s[2]]
        wrong = [s for s in sols if not s[2]]
        g = 'gsm8k-solutions:' + sha(norm(x['question']))[:16]
        for r in right:
            for w in wrong:
                if r[1] != w[1]:
                    pairs.append(mk('gsm8k-solutions', 'gsm8k-test', x['question'], r[1], w[1], False, g, 'en', None,
                                    {'model_a': r[0], 'model_b': w[0]}))
    return pairs, repo


def _sharegpt_turns(conv):
    conv = ast.literal_eval(conv) if isinstance(conv, str) else conv
    return [('user' if t['from'] in ('human', 'user') else 'assistant', t['value']) for t in conv]


def load_dpo_demo(m, key, path, lang):
    repo = Repo(m, key)
    data = json.loads(repo.show(path))
    pairs = []
    for x in data:
        turns = _sharegpt_turns(x['conversations'])
        ch = x['chosen']
        rj = x['rejected']
        ch = ast.literal_eval(ch) if isinstance(ch, str) and ch.startswith('{') else ch
        rj = ast.literal_eval(rj) if isinstance(rj, str) and rj.startswith('{') else rj
        ch = ch['value'] if isinstance(ch, dict) else ch
        rj = rj['value'] if isinstance(rj, dict) else rj
        prompt = flatten(turns)
        if ch.strip() == rj.strip():
            continue
        pairs.append(mk(key, 'judge-unknown', prompt, ch, rj, False, key + ':' + sha(norm(prompt))[:16], lang))
    return pairs, repo


# ------------------------------------------------------------------ Chinese (stage 3) -----------
def load_oasst_zh(m):
    repo = Repo(m, 'oasst-zh')
    data = json.loads(repo.show('data/oaast_rm_zh.json'))
    pairs = []
    for x in data:
        hist = x.get('history') or []
        hist = ast.literal_eval(hist) if isinstance(hist, str) else hist
        turns = []
        for u, a in hist:
            turns += [('user', u), ('assistant', a)]
        inst = x['instruction'] + (('\n' + x['input']) if x.get('input') else '')
        turns.append(('user', inst))
        prompt = flatten(turns)
        outs = x['output']
        outs = ast.literal_eval(outs) if isinstance(outs, str) else outs
        g = 'oasst-zh:' + sha(norm(prompt))[:16]
        # ranked best first; only the first two ranks are verified: best vs each other answer
        for k in range(1, len(outs)):
            if outs[0].strip() != outs[k].strip():
                pairs.append(mk('oasst-zh', 'rank1-vs-rank%d' % (k + 1), prompt, outs[0], outs[k], False, g, 'zh'))
    return pairs, repo


def build_zh_sources(m, loaded):
    out = []
    p, r = load_oasst_zh(m); out += p; loaded['oasst-zh'] = r
    for key, path in (('dpo-zh-demo', 'data/dpo_zh_demo.json'),):
        p, r = load_dpo_demo(m, key, path, 'zh'); out += p; loaded[key] = r
    try:
        p, r = load_medical_dpo(m); out += p; loaded['medical-dpo-zh'] = r
    except SystemExit:
        raise
    seen = set()
    dedup = []
    for p in out:  # the two unknown-judge DPO sets share prompts: keep the first source's pair
        k = norm(p['prompt'])
        if p['subset'] == 'judge-unknown' and (k, p['source']) not in seen and any(
                (k, s) in seen for s in ('dpo-zh-demo', 'medical-dpo-zh') if s != p['source']):
            continue
        seen.add((k, p['source']))
        dedup.append(p)
    out = dedup
    p, r = load_chinese_alpaca(m); out += p; loaded['chinese-alpaca-eval'] = r
    p, r = load_wmt_zhen(m); out += p; loaded['wmt-mqm-zhen'] = r
    return out


def load_medical_dpo(m):
    repo = Repo(m, 'medical-dpo-zh')
    pairs = []
    for line in repo.show('data/reward/dpo_zh_500.jsonl').decode('utf-8').splitlines():
        if not line.strip():
            continue
        x = json.loads(line)
        if 'conversations' in x:
            prompt = flatten(_sharegpt_turns(x['conversations']))
        else:
            prompt = (x.get('system', '') + '\n' if x.get('system') else '') + x.get('question', x.get('prompt', ''))
            hist = x.get('history') or []
            if hist:
                turns = []
                for u, a in hist:
                    turns += [('user', u), ('assistant', a)]
                turns.append(('user', x.get('question', x.get('prompt', ''))))
                prompt = flatten(turns)
        ch = x.get('response_chosen', x.get('chosen'))
        rj = x.get('response_rejected', x.get('rejected'))
        ch = ch['value'] if isinstance(ch, dict) else ch
        rj = rj['value'] if isinstance(rj, dict) else rj
        if not prompt.strip() or not ch or not rj or ch.strip() == rj.strip():
            continue
        pairs.append(mk('medical-dpo-zh', 'judge-unknown', prompt, ch, rj, False,
                        'medical-dpo-zh:' + sha(norm(prompt))[:16], 'zh'))
    return pairs, repo


def _md_cells(line):
    line = line.strip()
    if line.startswith('|'):
        line = line[1:]
    if line.endswith('|'):
        line = line[:-1]
    return [c.strip() for c in line.split('|')]


def _clean_md(s):
    s = re.sub(r'<br\s*/?>', '\n', s)
    s = s.replace('\\|', '|')
    return s.strip()


def load_chinese_alpaca(m, gap=1.0):
    """examples/*/<CAT>.md: markdown tables, one row per prompt: answers of several systems with scores."""
    repo = Repo(m, 'chinese-alpaca-eval')
    pairs = []
    for path, size in repo.ls('examples/'):
        if not path.endswith('.md') or size == 'BAD':
            continue
        cat = os.path.basename(path)[:-3]
        if cat not in ('QA', 'OQA', 'REASONING', 'LITERATURE', 'ENTERTAINMENT', 'GENERATION', 'TRANSLATION',
                       'DIALOGUE', 'CODE', 'ETHICS'):
            continue
        pairs += _parse_alpaca_md(repo.show(path).decode('utf-8'), path, cat, gap)
    return pairs, repo


def _parse_alpaca_md(text, path, cat, gap):
    """One file: a score table (rows = systems, columns #1..#N, GPT-4/ChatGPT 1-10 scores that are relative
    within this file) and a sample table (# | Prompt | one column per system). Pairs within the file only."""
    tables = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].strip().startswith('|') and i + 1 < len(lines) and re.match(r'^\s*\|?\s*:?-{2,}', lines[i + 1]):
            header = _md_cells(lines[i])
            j = i + 2
            rows = []
            while j < len(lines) and lines[j].strip().startswith('|'):
                rows.append(_md_cells(lines[j]))
                j += 1
            tables.append((header, rows))
            i = j
        else:
            i += 1
    sysname = lambda c: re.sub(r'^中文|[*\s]', '', re.sub(r'[*\s]', '', c))
    scores = {}
    for header, rows in tables:
        cols = {k: int(h[1:]) for k, h in enumerate(header) if re.fullmatch(r'#\d+', h.strip())}
        if len(cols) < 2:
            continue
        for row in rows:
            for k, n in cols.items():
                if k < len(row):
                    try:
                        scores[(sysname(row[0]), n)] = float(row[k])
                    except ValueError:
                        pass
    pairs = []
    for header, rows in tables:
        if len(header) < 3 or header[0].strip() != '#' or header[1].strip().lower() != 'prompt':
            continue
        systems = [sysname(h) for h in header[2:]]
        for row in rows:
            if len(row) != len(header) or not row[0].strip().isdigit():
                continue
            n = int(row[0])
            prompt = _clean_md(row[1])
            cands = []
            for k, sname in enumerate(systems):
                sc = scores.get((sname, n))
                ans = _clean_md(row[2 + k])
                if sc is not None and ans:
                    cands.append((sname, ans, sc))
            g = 'chinese-alpaca-eval:' + sha(norm(prompt))[:16]
            for a in range(len(cands)):
                for b in range(a + 1, len(cands)):
                    x, y = cands[a], cands[b]
                    if abs(x[2] - y[2]) < gap or x[1] == y[1]:
                        continue
                    w, l = (x, y) if x[2] > y[2] else (y, x)
                    pairs.append(mk('chinese-alpaca-eval', cat, prompt, w[1], l[1], False, g, 'zh', None,
                                    {'score_a': w[2], 'score_b': l[2], 'model_a': w[0], 'model_b': l[0],
                                     'file': path}))
    return pairs


WMT_FILES = (('ted/zhen/mqm_ted_zhen.tsv', 'ted-zhen'),
             ('generalMT2023/zhen/sxs_mqm_generalMT2023_zhen.3ratingsPerSegment.tsv.tar.gz', 'generalmt2023-zhen'))


def load_wmt_zhen(m, gap=1.0):
    """MQM zh->en: per segment and system, the MQM penalty (Major 5, Minor 1, minor punctuation 0.1,
    Non-translation 25) summed per rater and averaged over raters; lower is better. Pairs of two systems
    (references left out) whose penalties differ by >= gap."""
    repo = Repo(m, 'wmt-mqm-zhen')
    csv.field_size_limit(1 << 30)
    pairs = []
    for path, subset in WMT_FILES:
        data = repo.show(path)
        if path.endswith('.tar.gz'):
            with tarfile.open(fileobj=io.BytesIO(data), mode='r:gz') as tf:
                member = next(mm for mm in sorted(tf.getmembers(), key=lambda mm: mm.name) if mm.name.endswith('.tsv'))
                data = tf.extractfile(member).read()
        rd = csv.reader(io.StringIO(data.decode('utf-8')), delimiter='\t', quoting=csv.QUOTE_NONE)
        header = next(rd)
        col = {h: k for k, h in enumerate(header)}
        segcol = 'globalSegId' if 'globalSegId' in col else 'seg_id'
        per_rating = defaultdict(float)
        text = {}
        for row in rd:
            if len(row) < len(col) - 1:
                continue
            system, doc, sid, rater = row[col['system']], row[col['doc']], row[col[segcol]], row[col['rater']]
            src, tgt = row[col['source']], row[col['target']]
            cat, sev = row[col['category']].lower(), row[col['severity']].lower()
            w = {'major': 5.0, 'minor': 1.0, 'critical': 10.0}.get(sev, 0.0)
            if sev == 'minor' and cat.startswith('fluency/punctuation'):
                w = 0.1
            if cat.startswith('non-translation'):
                w = 25.0
            key = (doc, sid)
            per_rating[(key, system, rater)] += w
            text[(key, system)] = re.sub(r'</?v>', '', tgt)
            text[(key, 'SRC')] = re.sub(r'</?v>', '', src)
        seg = defaultdict(lambda: defaultdict(list))
        for (key, system, rater), pen in per_rating.items():
            seg[key][system].append(pen)
        for key in sorted(seg):
            srcs = text[(key, 'SRC')].strip()
            if not srcs:
                continue
            prompt = '将下面的中文翻译成英文。\n\n' + srcs
            systems = sorted((s, sum(v) / len(v)) for s, v in seg[key].items() if not s.lower().startswith('ref'))
            g = 'wmt-mqm-zhen:' + sha(norm(srcs))[:16]
            for a in range(len(systems)):
                for b in range(a + 1, len(systems)):
                    (sa, pa), (sb, pb) = systems[a], systems[b]
                    ta, tb = text[(key, sa)].strip(), text[(key, sb)].strip()
                    if abs(pa - pb) < gap or ta == tb or not ta or not tb:
                        continue
                    w, l = ((sa, ta, pa), (sb, tb, pb)) if pa < pb else ((sb, tb, pb), (sa, ta, pa))
                    pairs.append(mk('wmt-mqm-zhen', subset, prompt, w[1], l[1], False, g, 'zh', None,
                                    {'score_a': -round(w[2], 3), 'score_b': -round(l[2], 3), 'model_a': w[0],
                                     'model_b': l[0]}))
    return pairs, repo


# ------------------------------------------------------------------ split, caps, output ---------
def dedupe(pairs, stats):
    seen = set()
    out = []
    for p in pairs:
        if p['a'] == p['b']:
            stats[p['source']]['identical_responses'] += 1
            continue
        k = (p['source'], p['prompt'], frozenset((p['a'], p['b'])))
        if k in seen:
            stats[p['source']]['duplicate_pairs'] += 1
            continue
        seen.add(k)
        out.append(p)
    return out


def assign_ids(pairs):
    """ids <source>-<n>: shared-file pairs keep theirs; others numbered in (group, content) order."""
    by_src = defaultdict(list)
    for p in pairs:
        by_src[p['source']].append(p)
    for src, ps in by_src.items():
        if all('orig_id' in p for p in ps):
            for p in ps:
                p['id'] = p['orig_id']
            continue
        ps.sort(key=lambda p: (p['group'], sha(p['prompt'] + '\x00' + p['a'] + '\x00' + p['b'])))
        for n, p in enumerate(ps):
            p['id'] = f'{src}-{n}'


def split_dev(pairs, src, blocked, stats):
    """Choose dev groups for a source: blocked groups (prompt shared with LLMEval2) first, then by sha256."""
    frac, cap = DEV_SPEC[src]
    groups = defaultdict(list)
    for p in pairs:
        groups[p['group']].append(p)
    order = sorted(groups, key=lambda g: (g not in blocked, sha('dev:' + g)))
    want = max(1, round(frac * len(groups)))
    dev_groups, n = set(), 0
    for g in order:
        if len(dev_groups) >= want:
            break
        k = min(len(groups[g]), DEV_GROUP_CAP)
        if n + k > cap:
            continue
        dev_groups.add(g)
        n += k
    dev, train = [], []
    for g in sorted(groups):
        if g in dev_groups:
            ps = sorted(groups[g], key=lambda p: sha('pick:' + p['id']))
            dev += ps[:DEV_GROUP_CAP]
            stats[src]['dev_group_cap'] += max(0, len(ps) - DEV_GROUP_CAP)
        elif g in blocked:
            stats[src]['dropped_prompt_in_llmeval2_dev'] += len(groups[g])
        else:
            train += groups[g]
    return dev, train


def cap_train(pairs, stats):
    by_src = defaultdict(list)
    for p in pairs:
        by_src[p['source']].append(p)
    out = []
    for src in sorted(by_src):
        groups = defaultdict(list)
        for p in by_src[src]:
            groups[p['group']].append(p)
        kept = []
        for g in sorted(groups):
            ps = sorted(groups[g], key=lambda p: sha('pick:' + p['id']))
            gc = GROUP_CAP_SRC.get(src, GROUP_CAP)
            kept += ps[:gc]
            stats[src]['dropped_group_cap'] += max(0, len(ps) - gc)
        cap = SOURCE_CAP.get(src)
        if cap and len(kept) > cap:
            kept.sort(key=lambda p: sha('srccap:' + p['id']))
            stats[src]['dropped_source_cap'] += len(kept) - cap
            kept = kept[:cap]
        out += kept
    return out


def balance(pairs):
    """Winner first, then per source sorted by sha256(id) swap every second; ties swap when sha256 odd."""
    by_src = defaultdict(list)
    for p in pairs:
        by_src[p['source']].append(p)
    for src, ps in by_src.items():
        dec = sorted((p for p in ps if not p['tie']), key=lambda p: sha(p['id']))
        for k, p in enumerate(dec):
            p['swap'] = (k % 2 == 1)
        for p in ps:
            if p['tie']:
                p['swap'] = int(sha(p['id']), 16) % 2 == 1


def to_record(p):
    a, b = p['a'], p['b']
    extra = dict(p['extra'])
    if p['swap']:
        a, b = b, a
        extra = swap_sides(extra)
    if p['tie']:
        label, pa = 'tie', 0.5
    else:
        label, pa = ('b', 0.0) if p['swap'] else ('a', 1.0)
    rec = {'id': p['id'], 'source': p['source'], 'subset': p['subset'], 'prompt': p['prompt'], 'response_a': a,
           'response_b': b, 'label': label, 'p_a': pa, 'judge': p.get('judge') or JUDGE[p['source']],
           'group': p['group'], 'license': p.get('license') or LIC[p['source']]}
    for k in sorted(extra):
        rec[k] = extra[k]
    rec['lang'] = p['lang']
    return rec


def idnum(rid):
    m = re.search(r'-(\d+)$', rid)
    return int(m.group(1)) if m else 0


def write_jsonl(path, recs):
    with open(path, 'w', encoding='utf-8') as fh:
        for r in recs:
            fh.write(json.dumps(r, ensure_ascii=False) + '\n')


def run_clean(tool, raw, final):
    r = subprocess.run([sys.executable, tool, raw, '--clean', final], capture_output=True, text=True)
    if r.returncode not in (0, 1):
        die(f'check-heldout failed on {raw}: {r.stderr[-500:]}')
    return r.stdout.strip().splitlines()[-1] if r.stdout.strip() else ''


def read_jsonl(path):
    with open(path, encoding='utf-8') as fh:
        return [json.loads(l) for l in fh if l.strip()]


def file_stats(recs):
    out = {}
    by = defaultdict(list)
    for r in recs:
        by[r['source']].append(r)
    for src in sorted(by):
        rs = by[src]
        lab = Counter(r['label'] for r in rs)
        longer = n = 0
        for r in rs:
            if r['label'] == 'tie' or len(r['response_a']) == len(r['response_b']):
                continue
            n += 1
            w, l = (r['response_a'], r['response_b']) if r['label'] == 'a' else (r['response_b'], r['response_a'])
            longer += len(w) > len(l)
        out[src] = {'pairs': len(rs), 'prompts': len({r['group'] for r in rs}),
                    'labels': {'a': lab['a'], 'b': lab['b'], 'tie': lab['tie']},
                    'longer_wins': round(longer / n, 4) if n else None,
                    'judge': sorted({r['judge'] for r in rs}), 'license': sorted({r['license'] for r in rs})[0],
                    'lang': sorted({r.get('lang', '') for r in rs})}
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[1])
    ap.add_argument('--stage', type=int, default=3, choices=(1, 2, 3))
    ap.add_argument('--mirror', default='/work/.mirror')
    ap.add_argument('--shared', default=SHARED)
    ap.add_argument('--main', default=MAIN)
    ap.add_argument('--out', default=os.path.join(MAIN, 'models', 'build', 'corpus'))
    a = ap.parse_args()
    os.makedirs(os.path.join(a.out, 'raw'), exist_ok=True)
    tool = os.path.join(a.shared, 'tools', 'check-heldout')
    stats = defaultdict(Counter)
    manifest = {'stage': a.stage, 'sources': {}, 'files': {}, 'caps': {
        'group_cap_train': GROUP_CAP, 'group_cap_train_by_source': GROUP_CAP_SRC, 'source_cap_train': SOURCE_CAP, 'mmlu_pro_questions': MMLU_QUESTIONS,
        'dev_spec_fraction_maxpairs': DEV_SPEC, 'dev_group_cap': DEV_GROUP_CAP}}

    # evaluation prompts that must never be trained on
    evalp_norm, evalp_loose = set(), set()
    for f in ('arena-holdout.jsonl', 'gsm8k-100.jsonl'):
        for r in read_jsonl(os.path.join(a.main, 'data', f)):
            t = r['instruction'] + (('\n' + r['input']) if r.get('input') else '')
            for s in (t, r['instruction']):
                evalp_norm.add(norm(s))
                evalp_loose.add(loose(s))

    def is_eval(p):
        return norm(p['prompt']) in evalp_norm or loose(p['prompt']) in evalp_loose

    # prompts `./blender demo` shows (written by make_zh_demo.py): no trained ranker may have seen them
    demo_norm, demo_loose = set(), set()
    for f in DEMO_FILES:
        path = os.path.join(a.main, f)
        if not os.path.exists(path):
            die(f'demo data {path} not found; run models/data/make_zh_demo.py first')
        for r in read_jsonl(path):
            demo_norm.add(norm(r['instruction']))
            demo_loose.add(loose(r['instruction']))

    def is_demo(p):
        return norm(p['prompt']) in demo_norm or loose(p['prompt']) in demo_loose

    # LLMEval2 dev as is
    llm = read_jsonl(os.path.join(a.shared, 'data', 'preferences', 'dev.jsonl'))
    llm_loose = {loose(r['prompt'])[:300] for r in llm}
    llm_norm = {norm(r['prompt']) for r in llm}

    def in_llmeval2(p):
        keys = [p['prompt']] + ([p['core']] if p.get('core') else [])
        return any(norm(k) in llm_norm or loose(k)[:300] in llm_loose for k in keys)

    loaded = {}
    staged = []
    en = load_shared_train(a.shared)
    for key in STAGE_EN[1 if a.stage == 1 else 2]:
        if key == 'finegrained':
            p, r = load_finegrained(a.mirror)
        elif key == 'summeval':
            p, r = load_summeval(a.mirror)
        elif key == 'topicalchat':
            p, r = load_topicalchat(a.mirror)
        elif key == 'mmlu-pro':
            p, r, used = load_mmlu_pro(a.mirror)
            manifest['mmlu_pro_models'] = used
        elif key == 'zeroeval-gsm':
            p, r, used = load_zeroeval_gsm(a.mirror)
            manifest['zeroeval_gsm_models'] = used
        elif key == 'gsm8k-solutions':
            p, r = load_gsm_solutions(a.mirror)
        elif key == 'dpo-en-demo':
            p, r = load_dpo_demo(a.mirror, 'dpo-en-demo', 'data/dpo_en_demo.json', 'en')
        en += p
        loaded[key] = r
        print(f'{key}: {len(p)} candidate pairs', file=sys.stderr)

    def build(pairs, dev_sources, lang_prefix, extra_dev):
        pairs = dedupe(pairs, stats)
        assign_ids(pairs)
        for p in pairs:
            stats[p['source']]['candidates'] += 1
        # evaluation prompts out of everything
        kept = []
        for p in pairs:
            if is_eval(p):
                stats[p['source']]['dropped_eval_prompt'] += 1
            elif is_demo(p):
                stats[p['source']]['dropped_demo_prompt'] += 1
            else:
                kept.append(p)
        pairs = kept
        by_src = defaultdict(list)
        for p in pairs:
            by_src[p['source']].append(p)
        dev, train = [], []
        for src in sorted(by_src):
            ps = by_src[src]
            blocked = {p['group'] for p in ps if in_llmeval2(p)} if lang_prefix == '' else set()
            if src in dev_sources:
                d, t = split_dev(ps, src, blocked, stats)
                dev += d
                train += t
            else:
                for p in ps:
                    if p['group'] in blocked:
                        stats[src]['dropped_prompt_in_llmeval2_dev'] += 1
                    else:
                        train.append(p)
        # no train prompt equal to a dev prompt (across sources)
        dev_norm = {norm(p['prompt']) for p in dev} | (llm_norm if lang_prefix == '' else set())
        dev_loose = {loose(p['prompt']) for p in dev} | ({loose(r['prompt']) for r in llm} if lang_prefix == '' else set())
        t2 = []
        for p in train:
            if norm(p['prompt']) in dev_norm or loose(p['prompt']) in dev_loose:
                stats[p['source']]['dropped_prompt_in_dev'] += 1
            else:
                t2.append(p)
        train = cap_train(t2, stats)
        balance(dev)
        balance(train)
        src_order = lambda r: (r['source'], r['group'], idnum(r['id']), r['id'])
        dev_recs = sorted((to_record(p) for p in dev), key=src_order)
        train_recs = sorted((to_record(p) for p in train), key=src_order)
        dev_recs = extra_dev + dev_recs
        res = {}
        for name, recs in (('train', train_recs), ('dev', dev_recs)):
            fname = f'{lang_prefix}{name}.jsonl'
            raw = os.path.join(a.out, 'raw', fname)
            final = os.path.join(a.out, fname)
            write_jsonl(raw, recs)
            summary = run_clean(tool, raw, final + '.tmp')
            clean = read_jsonl(final + '.tmp')
            staged.append((final + '.tmp', final))
            cids = Counter(r['source'] for r in clean)
            rids = Counter(r['source'] for r in recs)
            fs = file_stats(clean)
            for src in fs:
                fs[src]['dropped_check_heldout'] = rids[src] - cids[src]
            for src in rids:
                if src not in fs:
                    fs[src] = {'pairs': 0, 'dropped_check_heldout': rids[src]}
            for src in fs:
                st = stats[src]
                fs[src]['dropped_caps'] = (st['dropped_group_cap'] + st['dropped_source_cap']) if name == 'train' \
                    else st['dev_group_cap']
                fs[src]['commit'] = ('%s@%s' % REPOS[src]) if src in REPOS else SHARED_COMMITS.get(src)
            res[fname] = {'pairs': len(clean), 'raw_pairs': len(recs), 'check_heldout': summary, 'by_source': fs}
        return res

    llm_recs = [dict(r, lang='en') for r in llm]
    manifest['files'].update(build(en, {'finegrained', 'summeval', 'topicalchat', 'oasst', 'hh-rlhf'}, '', llm_recs))

    if a.stage >= 3:
        zh = build_zh_sources(a.mirror, loaded)
        for src, n in sorted(Counter(p['source'] for p in zh).items()):
            print(f'{src}: {n} candidate pairs', file=sys.stderr)
        manifest['files'].update(build(zh, {'oasst-zh'}, 'zh-', []))

    for key, r in sorted(loaded.items()):
        manifest['sources'][key] = {'repo': r.name, 'commit': r.commit, 'judge': JUDGE[key], 'license': LIC[key]}
    for key, c in SHARED_COMMITS.items():
        manifest['sources'][key] = {'repo': c, 'commit': 'see ../shared/data/preferences/README.md'}
    manifest['build_stats'] = {k: dict(sorted(v.items())) for k, v in sorted(stats.items())}
    with open(os.path.join(a.out, 'manifest.json.tmp'), 'w', encoding='utf-8') as fh:
        json.dump(manifest, fh, ensure_ascii=False, indent=1, sort_keys=True)
        fh.write('\n')
    # replace the outputs only now, each atomically (a trainer may be reading the previous ones)
    for tmp, final in staged + [(os.path.join(a.out, 'manifest.json.tmp'), os.path.join(a.out, 'manifest.json'))]:
        os.replace(tmp, final)
    for fname, f in manifest['files'].items():
        print(f"{fname}: {f['pairs']} pairs ({f['check_heldout']})")
        for src, s in f['by_source'].items():
            print(f"  {src:22s} pairs {s['pairs']:6d} prompts {s.get('prompts', 0):5d} labels {s.get('labels')} "
                  f"longer_wins {s.get('longer_wins')} heldout_drop {s['dropped_check_heldout']}")


if __name__ == '__main__':
    main()
