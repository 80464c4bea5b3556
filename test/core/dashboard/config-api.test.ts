import { existsSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import t, { type Test } from 'tap';
import { startDashboard } from '../../../src/core/dashboard/index.js';
import { SAMPLE, SAMPLE_ENV, configFile } from '../config/edit/sample.js';
import { MemorySource } from './memory-source.js';

// The editor resolves !env against the service's environment, which is this process here.
Object.assign(process.env, SAMPLE_ENV);

class FileSource extends MemorySource {
  constructor(private readonly path: string) {
    super();
  }
  override configPath(): string {
    return this.path;
  }
  override configExists(): boolean {
    return existsSync(this.path);
  }
}

async function serve(t: Test, text: string | null = SAMPLE) {
  const path = await configFile(t, text);
  const dashboard = await startDashboard({ host: '127.0.0.1', port: 0, source: new FileSource(path) });
  t.teardown(() => dashboard.close());
  return { url: dashboard.url, path };
}

const SAME_ORIGIN = { 'X-Airut-Request': '1', 'Content-Type': 'application/json' };

async function call(url: string, method: string, body: unknown, headers: Record<string, string> = SAME_ORIGIN) {
  const response = await fetch(url, { method, headers, body: JSON.stringify(body) });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

t.test('GET /api/config: the form, the file hash, secrets masked', async (t) => {
  const { url } = await serve(t);
  const response = await fetch(`${url}/api/config`);
  t.equal(response.status, 200);
  t.match(response.headers.get('content-security-policy'), /default-src 'none'/);
  const text = await response.text();
  t.notMatch(text, /tok-literal-0123456789/, 'no literal secret in the answer');
  const model = JSON.parse(text) as { hash: string; exists: boolean; form: { children: { key: string }[] }; problems: unknown[] };
  t.match(model.hash, /^[0-9a-f]{64}$/);
  t.equal(model.exists, true);
  t.same(model.problems, []);
  t.same(model.form.children.map((child) => child.key), ['execution', 'dashboard', 'network', 'vars', 'prices', 'repos']);
});

t.test('validate and diff answer per-field problems and a masked diff without writing', async (t) => {
  const { url, path } = await serve(t);
  const { hash } = await (await fetch(`${url}/api/config`)).json() as { hash: string };
  const edits = [{ op: 'set', path: ['dashboard', 'port'], value: '99999' }, { op: 'set', path: ['repos', 'web', 'secrets', 'API_TOKEN'], value: 'tok-brand-new-value-1234' }];
  const validated = await call(`${url}/api/config/validate`, 'POST', { baseHash: hash, edits });
  t.equal(validated.status, 200);
  t.match(validated.body, { stale: false, problems: [{ keyPath: 'dashboard.port', message: 'must be at most 65535, got 99999' }] });
  t.notOk('diff' in validated.body);
  const diffed = await call(`${url}/api/config/diff`, 'POST', { baseHash: hash, edits });
  t.match(diffed.body.diff, /\+ {2}port: 99999/);
  t.notMatch(diffed.body.diff, /tok-brand-new|tok-literal/);
  t.equal(await readFile(path, 'utf8'), SAMPLE, 'nothing written');
});

t.test('PUT saves; a stale hash is 409, an invalid result 422, a bad body 400', async (t) => {
  const { url, path } = await serve(t);
  const { hash } = await (await fetch(`${url}/api/config`)).json() as { hash: string };
  const invalid = await call(`${url}/api/config`, 'PUT', { baseHash: hash, edits: [{ op: 'set', path: ['dashboard', 'port'], value: '0' }] });
  t.equal(invalid.status, 422);
  t.match(invalid.body, { error: 'invalid', problems: [{ keyPath: 'dashboard.port', message: /at least 1/ }] });

  const saved = await call(`${url}/api/config`, 'PUT', { baseHash: hash, edits: [{ op: 'set', path: ['dashboard', 'port'], value: '5301' }] });
  t.equal(saved.status, 200);
  t.match(saved.body.hash, /^[0-9a-f]{64}$/);
  t.match(await readFile(path, 'utf8'), /dashboard:\n {2}port: 5301\n/);
  t.equal((await stat(path)).mode & 0o777, 0o600);

  const stale = await call(`${url}/api/config`, 'PUT', { baseHash: hash, edits: [{ op: 'set', path: ['dashboard', 'port'], value: '5302' }] });
  t.equal(stale.status, 409, 'the old hash no longer matches the file');
  t.match(stale.body, { error: 'stale', message: /changed on disk/, hint: /Reload/ });
  const validated = await call(`${url}/api/config/validate`, 'POST', { baseHash: hash, edits: [] });
  t.equal(validated.body.stale, true, 'validate warns early that a save would be refused');

  await writeFile(path, 'repos: [\n');
  const broken = await call(`${url}/api/config`, 'PUT', { baseHash: String(saved.body.hash), edits: [] });
  t.equal(broken.status, 409, 'the hand edit is detected before anything else');

  for (const body of [{ edits: [] }, { baseHash: hash, edits: [{ op: 'explode' }] }, { baseHash: hash, edits: [{ op: 'set', path: [], value: 'x' }] }]) {
    const bad = await call(`${url}/api/config/validate`, 'POST', body);
    t.equal(bad.status, 400, JSON.stringify(body));
    t.equal(bad.body.error, 'bad_request');
  }
  const notJson = await fetch(`${url}/api/config/validate`, { method: 'POST', headers: SAME_ORIGIN, body: '{' });
  t.equal(notJson.status, 400);
});

t.test('a file with broken YAML: problems with lines, no form, saving refused', async (t) => {
  const { url } = await serve(t, 'repos:\n  web: [\n');
  const model = await (await fetch(`${url}/api/config`)).json() as { hash: string; form?: unknown; problems: { line?: number }[] };
  t.equal(model.form, undefined);
  t.ok(model.problems.length > 0 && model.problems[0]?.line !== undefined);
  const put = await call(`${url}/api/config`, 'PUT', { baseHash: model.hash, edits: [{ op: 'addRepo', id: 'x' }] });
  t.equal(put.status, 422);
  t.match(put.body.message, /YAML syntax errors/);
});

t.test('without a config file the first save creates it', async (t) => {
  const { url, path } = await serve(t, null);
  const model = await (await fetch(`${url}/api/config`)).json() as { hash: string; exists: boolean };
  t.same(model, { ...model, hash: '', exists: false });
  const saved = await call(`${url}/api/config`, 'PUT', { baseHash: '', edits: [{ op: 'set', path: ['execution', 'max_concurrent'], value: '1' }] });
  t.equal(saved.status, 200);
  t.equal(await readFile(path, 'utf8'), 'execution:\n  max_concurrent: 1\n');
});

t.test('state-changing config requests need the custom header from the same origin', async (t) => {
  const { url, path } = await serve(t);
  const { hash } = await (await fetch(`${url}/api/config`)).json() as { hash: string };
  const body = { baseHash: hash, edits: [{ op: 'set', path: ['dashboard', 'port'], value: '5400' }] };
  const refusals: [string, Record<string, string>][] = [
    ['no custom header', { 'Content-Type': 'application/json' }],
    ['another origin', { ...SAME_ORIGIN, Origin: 'http://evil.example' }],
    ['a cross-site fetch', { ...SAME_ORIGIN, 'Sec-Fetch-Site': 'cross-site' }],
  ];
  for (const [name, headers] of refusals) {
    for (const [method, endpoint] of [['PUT', '/api/config'], ['POST', '/api/config/validate'], ['POST', '/api/config/diff']] as const) {
      const answer = await call(`${url}${endpoint}`, method, body, headers);
      t.equal(answer.status, 403, `${name}: ${method} ${endpoint} refused`);
      t.equal(answer.body.error, 'csrf');
      t.equal(answer.headers.get('access-control-allow-origin'), null, 'no CORS grant');
    }
  }
  t.equal(await readFile(path, 'utf8'), SAMPLE, 'nothing was written');
  const wrongMethod = await fetch(`${url}/api/config`, { method: 'POST', headers: SAME_ORIGIN, body: '{}' });
  t.equal(wrongMethod.status, 405);
  t.equal(wrongMethod.headers.get('allow'), 'GET, PUT');
});

t.test('the /config page is the editor, and says where a first config will be written', async (t) => {
  const { url, path } = await serve(t, null);
  const page = await (await fetch(`${url}/config`)).text();
  t.match(page, /<h1>Configuration<\/h1>/);
  t.match(page, /No configuration file yet/);
  t.ok(page.includes(path), 'names the path');
  t.match(page, /<script type="module" src="\/static\/config-editor\.js"><\/script>/);
  t.notMatch(page, /<script>/, 'no inline script');
  const script = await fetch(`${url}/static/config-editor.js`);
  t.equal(script.status, 200);
  t.match(script.headers.get('content-type'), /^text\/javascript/);
  t.notMatch(await script.text(), /innerHTML|insertAdjacentHTML|eval\(/, 'the editor never writes markup from data');
});
