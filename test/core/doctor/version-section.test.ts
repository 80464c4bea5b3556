import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetch } from 'undici';
import t, { type Test } from 'tap';
import { resolveNpmRegistry } from '../../../src/core/doctor/npm-registry.js';
import { checkVersion } from '../../../src/core/doctor/version-section.js';

/** A registry on 127.0.0.1 answering GET /airut with `latest` (or a status), recording request paths. */
async function registry(t: Test, answer: { latest?: string; status?: number; hang?: boolean }): Promise<{ url: string; paths: string[] }> {
  const paths: string[] = [];
  const server: Server = createServer((request, response) => {
    paths.push(`${request.url ?? ''} ${request.headers.accept ?? ''}`);
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
  return { url: `http://127.0.0.1:${address.port}/`, paths };
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

void t.test('the registry comes from the environment, then the project .npmrc, then the user .npmrc', async (t) => {
  const { home, cwd } = dirs(t);
  t.same(await resolveNpmRegistry({ env: {}, home, cwd }), { url: 'https://registry.npmjs.org/', source: 'npm default' });
  writeFileSync(join(home, '.npmrc'), '; comment\nregistry = https://user.example/npm\n');
  t.same(await resolveNpmRegistry({ env: {}, home, cwd }), { url: 'https://user.example/npm/', source: join(home, '.npmrc') });
  writeFileSync(join(cwd, '.npmrc'), 'registry=${MIRROR}/r/\n');
  t.same(await resolveNpmRegistry({ env: { MIRROR: 'https://project.example' }, home, cwd }), { url: 'https://project.example/r/', source: join(cwd, '.npmrc') });
  t.same(await resolveNpmRegistry({ env: { npm_config_registry: 'https://env.example' }, home, cwd }), { url: 'https://env.example/', source: 'npm_config_registry' });
});
