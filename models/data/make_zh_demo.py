#!/usr/bin/env python3
"""Write the Chinese demo data of `./blender demo --lang zh` (issue 28).

usage: make_zh_demo.py [--mirror /work/.mirror] [--out blender-cli/src/main/resources/io/llmblender/cli/data/zh-demo.jsonl]
                       [--all FILE]

--all FILE also writes every single-turn prompt of the same comparison that has three rated answers
(168 prompts, the demo's four among them), in the same format, to measure a ranker beyond four prompts:
  ./blender rank --input FILE --output R --ranker NAME && ./blender eval --input R

Source: ymcui/Chinese-LLaMA-Alpaca @ 090475fbebcca06af2ae52c5227fe1617e22072a (Apache-2.0),
examples/f16-p7b-p13b-33b/<CATEGORY>.md: the project's own comparison of three of its LLMs
(Chinese-Alpaca-Plus-7B and -Plus-13B, 8-bit q8_0 with llama.cpp; Chinese-Alpaca-33B, F16 with
transformers) on the same 20 prompts per category, each answer rated 1-10 by GPT-4 or, where GPT-4's
quota ran out, ChatGPT (gpt-3.5-turbo); the source does not say which judge rated which answer, so
the score key is `gpt4_or_chatgpt_score`. The tables are read by build_corpus.py's parser
(`_parse_alpaca_md`), so the demo holds exactly the answers and scores the training corpus would.

The four prompts are picked by a rule, not by hand, so that nothing favours one ranker:
eligible are prompts of the single-turn categories whose three answers have three different scores,
are at most 300 characters each and are Chinese (at least half of their letters Han); they are
ordered by sha256("zh-demo:" + prompt) and the first of each category is taken until four categories
are covered. Candidates keep the source's column order (Plus-7B, Plus-13B, 33B), not the judge's.

build_corpus.py drops these prompts from every training and dev file (stat `dropped_demo_prompt`).
Stdlib only; deterministic: a rerun writes a byte-identical file.
"""
import argparse, hashlib, json, os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
MAIN = os.path.abspath(os.path.join(HERE, '..', '..'))
sys.path.insert(0, HERE)
import build_corpus as bc  # noqa: E402  (the corpus's own parser of these tables)

DIRECTORY = 'examples/f16-p7b-p13b-33b'
CATEGORIES = ('QA', 'OQA', 'REASONING', 'LITERATURE', 'ENTERTAINMENT', 'GENERATION', 'TRANSLATION', 'CODE',
              'ETHICS')  # all but DIALOGUE, whose cells hold whole dialogues
SYSTEMS = {  # the source's column name -> the model, in the source's column order
    'Plus-7B': 'chinese-alpaca-plus-7b (q8_0)',
    'Plus-13B': 'chinese-alpaca-plus-13b (q8_0)',
    '33B': 'chinese-alpaca-33b (f16)',
}
JUDGE_KEY = 'gpt4_or_chatgpt_score'
PROMPTS = 4
MAX_CHARS = 300
LICENSE = 'Apache-2.0 (ymcui/Chinese-LLaMA-Alpaca)'
OUT = os.path.join(MAIN, 'blender-cli', 'src', 'main', 'resources', 'io', 'llmblender', 'cli', 'data',
                   'zh-demo.jsonl')


def han_share(text):
    letters = [c for c in text if c.isalpha()]
    return sum(1 for c in letters if re.match(r'[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]', c)) / max(1, len(letters))


def candidates(repo, path, cat):
    """{prompt: {system: (answer, score)}} of one file, from build_corpus's pairs (gap 0: every answer pair)."""
    out = {}
    for p in bc._parse_alpaca_md(repo.show(path).decode('utf-8'), path, cat, 0):
        e = p['extra']
        c = out.setdefault(p['prompt'], {})
        c[e['model_a']] = (p['a'], e['score_a'])
        c[e['model_b']] = (p['b'], e['score_b'])
    return out


def write(out, rows, repo):
    """rows: (category, path, prompt, {system: (answer, score)}), written as demo records, atomically."""
    tmp = out + '.tmp'
    with open(tmp, 'w', encoding='utf-8') as fh:
        for cat, path, prompt, c in rows:
            rec = {'id': 'chinese-alpaca-eval:' + bc.sha(bc.norm(prompt))[:16], 'instruction': prompt, 'input': '',
                   'output': '',
                   'candidates': [{'model': SYSTEMS[s], 'text': c[s][0], 'scores': {JUDGE_KEY: c[s][1]}}
                                  for s in SYSTEMS],
                   'category': cat,
                   'source': f'{repo.name}@{repo.commit}:{path}', 'license': LICENSE}
            fh.write(json.dumps(rec, ensure_ascii=False) + '\n')
    os.replace(tmp, out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[1])
    ap.add_argument('--mirror', default='/work/.mirror')
    ap.add_argument('--out', default=OUT)
    ap.add_argument('--all', help='also write every prompt with three rated answers here')
    a = ap.parse_args()
    repo = bc.Repo(a.mirror, 'chinese-alpaca-eval')
    eligible, every = [], []
    for cat in CATEGORIES:
        path = f'{DIRECTORY}/{cat}.md'
        for prompt, c in candidates(repo, path, cat).items():
            unknown = set(c) - set(SYSTEMS)
            if unknown:
                bc.die(f'{path}: systems {sorted(unknown)} not in SYSTEMS')
            if len(c) == len(SYSTEMS):
                every.append((cat, path, prompt, c))
            scores = {s for _, s in c.values()}
            if (len(c) == len(SYSTEMS) and len(scores) == len(c)
                    and all(len(t) <= MAX_CHARS and han_share(t) >= 0.5 for t, _ in c.values())):
                eligible.append((bc.sha('zh-demo:' + prompt), cat, path, prompt, c))
    eligible.sort()
    picked, cats = [], set()
    for e in eligible:
        if e[1] not in cats:
            picked.append(e)
            cats.add(e[1])
        if len(picked) == PROMPTS:
            break
    if len(picked) < PROMPTS:
        bc.die(f'only {len(picked)} eligible prompts of different categories')
    write(a.out, [e[1:] for e in picked], repo)
    if a.all:
        write(a.all, every, repo)
        print(f'{a.all}: {len(every)} prompts with three rated answers')
    print(f'{a.out}: {len(picked)} prompts of {len(eligible)} eligible, from {repo.name}@{repo.commit} '
          f'{DIRECTORY}/*.md ({LICENSE}); judge GPT-4 or ChatGPT (key {JUDGE_KEY})')
    for _, cat, path, prompt, c in picked:
        print(f'  {cat:13s} {prompt}  ' + ', '.join(f'{s} {c[s][1]:g}' for s in SYSTEMS))


if __name__ == '__main__':
    main()
