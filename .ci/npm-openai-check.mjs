// CI: the npm `openai` package (installed beside a copy of this file) against `blender serve`, as a Node app would use
// it: one plain and one streamed request. The upstream LLMs are fake OpenAI-compatible servers on loopback, started
// here; the server is the built tool jar with the shipped ranker. Exits non-zero on any failure.
import OpenAI from 'openai';
import http from 'node:http';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const jar = process.argv[2];
const answers = { llama: 'Rest, drink fluids and sleep; see a doctor if the fever lasts.', mistral: 'Drink fluids.' };

function upstream(model) {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      const asked = JSON.parse(body);
      const text = answers[model];
      if (asked.stream) {
        res.writeHead(200, { 'Content-Type': 'text/event-stream' });
        for (const word of text.split(' ')) {
          res.write('data: ' + JSON.stringify({ id: 'up', object: 'chat.completion.chunk', created: 1, model,
            choices: [{ index: 0, delta: { content: word + ' ' }, finish_reason: null }] }) + '\n\n');
        }
        res.end('data: [DONE]\n\n');
      } else {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ id: 'up', object: 'chat.completion', created: 1, model,
          choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 } }));
      }
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const llama = await upstream('llama');
const mistral = await upstream('mistral');
const dir = mkdtempSync(join(tmpdir(), 'blender-npm-'));
const config = join(dir, 'server.json');
const portFile = join(dir, 'port');
writeFileSync(config, JSON.stringify({
  llms: [{ name: 'llama', base_url: `http://127.0.0.1:${llama.address().port}/v1`, model: 'llama3' },
         { name: 'mistral', base_url: `http://127.0.0.1:${mistral.address().port}/v1`, model: 'mistral' }],
  ranker: 'default', server: { port: 0 } }));
const java = spawn('java', ['-Dai.djl.offline=true', '-jar', jar, 'serve', '--config', config, '--port-file', portFile],
  { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, OPT_OUT_TRACKING: 'true', BLENDER_CACHE_DIR: dir } });
let failed = false;
try {
  for (let i = 0; i < 1200 && !existsSync(portFile); i++) {
    if (java.exitCode !== null) throw new Error('blender serve exited with ' + java.exitCode);
    await new Promise((r) => setTimeout(r, 100));
  }
  const port = readFileSync(portFile, 'utf8').trim();
  const client = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: 'none', maxRetries: 0 });
  const plain = await client.chat.completions.create({ model: 'blend',
    messages: [{ role: 'user', content: 'How do I treat a cold?' }] });
  if (!Object.values(answers).includes(plain.choices[0].message.content) || plain.usage.total_tokens !== 30) {
    throw new Error('unexpected plain answer ' + JSON.stringify(plain));
  }
  console.log('npm openai, plain:', plain.model, JSON.stringify(plain.choices[0].message.content));
  const stream = await client.chat.completions.create({ model: 'llama', stream: true,
    messages: [{ role: 'user', content: 'How do I treat a cold?' }] });
  let text = '';
  let chunks = 0;
  for await (const chunk of stream) {
    chunks++;
    text += chunk.choices[0]?.delta?.content ?? '';
  }
  if (text.trim() !== answers.llama || chunks < 5) throw new Error(`unexpected stream (${chunks} chunks): ${text}`);
  console.log('npm openai, streamed:', chunks, 'chunks');
} catch (e) {
  failed = true;
  console.error('npm openai check failed:', e);
} finally {
  java.kill('SIGTERM');
  llama.close();
  mistral.close();
}
console.log(failed ? 'npm openai check FAILED' : 'npm openai check: the plain and the streamed request passed');
process.exit(failed ? 1 : 0);
