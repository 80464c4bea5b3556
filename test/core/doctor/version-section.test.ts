import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetch } from 'undici';
import t, { type Test } from 'tap';
import { checkVersion } from '../../../src/core/doctor/version-section.js';

/** A registry on 127.0.0.1 answering GET /airut with `latest` (or a status), recording request paths. */
async function registry(t: Test, answer: { latest?: string; status?: number; hang?: boolean }): Promise<{ url: string; paths: string[]; auth: string[] }> {
  const paths: string[] = [];
  const auth: string[] = [];
  const server: Server = createServer((request, response) => {
    paths.push(`${request.url ?? ''} ${request.headers.accept ?? ''}`);
    auth.push(request.headers.authorization ?? '');
    if (answer.hang) return;
    response.writeHead(answer.status ?? 200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ name: 'airut', 'dist-tags': { latest: answer.latest } }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  const address = server.address() as { port: number };
  return { url: `http://127.0.0.1:${address.port}/`, paths, auth };
}

function dirs(t: Test): { home: string; cwd: string } {
  const home = mkdtempSync(join(tmpdir(), 'airut-home-'));
  const cwd = mkdtempSync(join(tmpdir(), 'airut-cwd-'));
  t.teardown(() => {
    rmSync(home, { recursive: true, force: true });
    rmSync(cwd, { recursive: true, force: true });
  });
  return { home, cwd };
}

const installed = { name: 'airut', version: '0.1.0' };

void t.test('a newer release on the configured registry is a notice with the update command', async (t) => {
  const server = await registry(t, { latest: '0.2.0' });
  const section = await checkVersion({ installed, env: { npm_config_registry: server.url }, ...dirs(t), fetch, timeoutMs: 3000 });
  t.equal(section.name, 'Version');
  t.match(section.checks, [
    { name: 'Installed', ok: true, severity: 'info', detail: 'airut 0.1.0' },
    { name: 'Newest release', ok: false, severity: 'info', detail: `0.2.0 is available on ${server.url} (installed 0.1.0)`, fix: /airut update/ },
  ]);
  t.match(server.paths, [/^\/airut application\/vnd\.npm\.install-v1\+json/]);
});

void t.test('the installed version being the newest passes', async (t) => {
  const server = await registry(t, { latest: '0.1.0' });
  const section = await checkVersion({ installed, env: { npm_config_registry: server.url }, ...dirs(t), fetch, timeoutMs: 3000 });
  t.match(section.checks[1], { ok: true, detail: /0\.1\.0 is up to date/ });
});

void t.test('registry trouble is only informational', async (t) => {
  const missing = await registry(t, { status: 404 });
  const notFound = await checkVersion({ installed, env: { npm_config_registry: missing.url }, ...dirs(t), fetch, timeoutMs: 3000 });
  t.match(notFound.checks[1], { ok: false, severity: 'info', detail: /airut is not published on/ });

  const hanging = await registry(t, { hang: true });
  const slow = await checkVersion({ installed, env: { npm_config_registry: hanging.url }, ...dirs(t), fetch, timeoutMs: 200 });
  t.match(slow.checks[1], { ok: false, severity: 'info', detail: /no answer within 0\.2 s/ });
});

void t.test('the registry and its token come from the one npm resolver: environment, project, user .npmrc', async (t) => {
  const server = await registry(t, { latest: '0.1.0' });
  const { home, cwd } = dirs(t);
  const host = new URL(server.url).host;
  writeFileSync(join(home, '.npmrc'), `registry = ${server.url}\n//${host}/:_authToken=\${TOKEN}\n`);
  const fromUser = await checkVersion({ installed, env: { TOKEN: 't-1' }, home, cwd, fetch, timeoutMs: 3000 });
  t.match(fromUser.checks[1], { ok: true, detail: `0.1.0 on ${server.url}; 0.1.0 is up to date` });
  t.match(server.auth, ['Bearer t-1'], 'the token configured for that registry is sent, as the download sends it');
  writeFileSync(join(cwd, '.npmrc'), 'registry=http://127.0.0.1:1/\n');
  const fromProject = await checkVersion({ installed, env: {}, home, cwd, fetch, timeoutMs: 3000 });
  t.match(fromProject.checks[1], { ok: false, detail: /could not reach http:\/\/127\.0\.0\.1:1\// }, 'the project .npmrc wins over the user\'s');
  const fromEnv = await checkVersion({ installed, env: { npm_config_registry: server.url }, home, cwd, fetch, timeoutMs: 3000 });
  t.match(fromEnv.checks[1], { ok: true }, 'the environment wins over both');
});
