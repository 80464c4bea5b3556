import t from 'tap';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureProxyImage, parseLddOutput } from '../../../src/sandbox/network/proxy-image.js';
import { TEST_BASE_IMAGE, testRuntime } from '../../harness/podman.js';

const runtime = testRuntime();

void t.test('ldd output parsing keeps real paths and the loader, drops the vdso', (t) => {
  const text = [
    '\tlinux-vdso.so.1 (0x00007ffd)',
    '\tlibstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007f9b70200000)',
    '\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f9b6ff3e000)',
    '\t/lib64/ld-linux-x86-64.so.2 (0x00007f9b704ff000)',
  ].join('\n');
  t.same(parseLddOutput(text), [
    '/lib/x86_64-linux-gnu/libstdc++.so.6',
    '/lib/x86_64-linux-gnu/libc.so.6',
    '/lib64/ld-linux-x86-64.so.2',
  ]);
  t.end();
});

void t.test('the scratch proxy image runs node, is cached by content and leaves no build context', async (t) => {
  const tmp = await mkdtemp(join(tmpdir(), 'airut-test-proxy-image-'));
  t.teardown(() => rm(tmp, { recursive: true, force: true }));
  const repository = `localhost/airut-test-proxy-image-${process.pid}`;
  const first = await ensureProxyImage(runtime, { repository, tmpDir: tmp });
  t.teardown(async () => { await runtime.call(['rmi', '-f', first.tag]); });
  t.match(first.tag, new RegExp(`^${repository}:[0-9a-f]{16}$`));
  t.equal(first.built, true);
  t.same(await readdir(tmp), [], 'build context removed');

  const run = await runtime.run(['run', '--rm', '--network', 'none', first.tag, '-e', 'const dns = require("node:dns"); dns.lookup("localhost", (e, a) => { if (e) throw e; console.log(process.versions.node, a); })']);
  t.match(run.stdout, new RegExp(`^${process.versions.node.replace(/\./g, '\\.')} (127\\.0\\.0\\.1|::1)$`));

  const second = await ensureProxyImage(runtime, { repository, tmpDir: tmp });
  t.same(second, { tag: first.tag, built: false });

  // An operator base image that has node: here, the scratch image just built.
  const based = await ensureProxyImage(runtime, { repository: `${repository}-based`, baseImage: first.tag, tmpDir: tmp });
  t.teardown(async () => { await runtime.call(['rmi', '-f', based.tag]); });
  t.equal(based.built, true);
  const basedRun = await runtime.run(['run', '--rm', '--network', 'none', based.tag, '-p', '1 + 1']);
  t.equal(basedRun.stdout, '2');
  t.same(await ensureProxyImage(runtime, { repository: `${repository}-based`, baseImage: first.tag, tmpDir: tmp }), { tag: based.tag, built: false });
});

void t.test('a proxy base image without node is refused with a hint', async (t) => {
  await t.rejects(ensureProxyImage(runtime, { repository: `localhost/airut-test-proxy-image-${process.pid}`, baseImage: TEST_BASE_IMAGE }), { code: 'NETWORK_PROXY_BASE_NO_NODE' });
  await t.rejects(ensureProxyImage(runtime, { repository: `localhost/airut-test-proxy-image-${process.pid}`, baseImage: 'localhost/airut-test-does-not-exist:1' }), { code: 'NETWORK_PROXY_BASE_NO_NODE' });
});
