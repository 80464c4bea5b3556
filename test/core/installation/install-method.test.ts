import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { detectInstallMethod, runProcess } from '../../../src/core/installation/index.js';
import { fakePath } from '../../harness/fake-bin/index.js';

async function tempDir(t: { teardown: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'airut-method-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function detect(packageRoot: string, npmRoot: string, extra: { binPath?: string; env?: Record<string, string> } = {}) {
  return detectInstallMethod({
    packageRoot,
    packageName: 'airut',
    runner: runProcess,
    env: { PATH: fakePath(), FAKE_NPM_ROOT: npmRoot, ...extra.env },
    binPath: extra.binPath,
  });
}

t.test('the package directory under `npm root -g` is a global npm install', async (t) => {
  const dir = await tempDir(t);
  const pkg = join(dir, 'lib', 'node_modules', 'airut');
  await mkdir(pkg, { recursive: true });
  t.same(await detect(pkg, join(dir, 'lib', 'node_modules')), { kind: 'npm-global', packageRoot: pkg });
});

t.test('`npm link` of a checkout is the checkout, not an npm install', async (t) => {
  const dir = await tempDir(t);
  const checkout = join(dir, 'src', 'airut');
  await mkdir(join(checkout, '.git'), { recursive: true });
  await mkdir(join(dir, 'lib', 'node_modules'), { recursive: true });
  await symlink(checkout, join(dir, 'lib', 'node_modules', 'airut'));
  t.same(await detect(checkout, join(dir, 'lib', 'node_modules')), { kind: 'git', packageRoot: checkout });
});

t.test('npx runs, tarball installs and anything else', async (t) => {
  const dir = await tempDir(t);
  const npx = join(dir, '.npm', '_npx', 'abc', 'node_modules', 'airut');
  t.same(await detect(npx, join(dir, 'none')), { kind: 'npx', packageRoot: npx });
  t.same(await detect(dir, join(dir, 'none'), { binPath: '/home/ops/.local/share/airut/client/bin/airut' }), { kind: 'oclif-tarball', binPath: '/home/ops/.local/share/airut/client/bin/airut' });
  t.same(await detect(dir, join(dir, 'none')), { kind: 'unknown', packageRoot: dir });
});
