import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { GitMirror } from '../../../src/core/conversation/index.js';
import { mirrorFiles } from '../../../src/core/gateway/index.js';
import { REPO_SANDBOX_PATHS, checkoutFiles, findImageSource, readAllowlist, type RepoFiles } from '../../../src/core/repo-sandbox/index.js';
import { upstreamRepo } from '../gateway/fakes.js';

async function scratch(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'airut-t-repofiles-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const ALLOWLIST = 'domains:\n  - pkgs.test\nurl_prefixes:\n  - host: api.test\n    path: /v1/*\n    methods: [GET]\n';

/** One tree as a checkout and as the default branch of a mirror of it. */
async function bothSources(t: Test, files: Record<string, string>): Promise<{ checkout: RepoFiles; mirror: RepoFiles; upstream: string }> {
  const root = await scratch(t);
  const upstream = await upstreamRepo(root, files);
  const mirror = new GitMirror({ repoUrl: upstream, repoStateDir: join(root, 'state') });
  await mirror.refresh();
  return { checkout: checkoutFiles(upstream), mirror: mirrorFiles(mirror, 'r'), upstream };
}

void t.test('a checkout and a default branch give the same image source and allowlist', async (t) => {
  const { checkout, mirror, upstream } = await bothSources(t, {
    '.airut/container/Dockerfile': 'FROM base\nCOPY requirements.txt /\n',
    '.airut/container/requirements.txt': 'a==1\n',
    '.airut/container/nested/secret': 'not part of the context\n',
    [REPO_SANDBOX_PATHS.allowlist]: ALLOWLIST,
  });
  const fromCheckout = await findImageSource(checkout, REPO_SANDBOX_PATHS.dockerfile);
  const fromMirror = await findImageSource(mirror, REPO_SANDBOX_PATHS.dockerfile);
  t.same(Buffer.from(fromMirror!.dockerfile).toString(), 'FROM base\nCOPY requirements.txt /\n');
  t.same(fromMirror!.contextFiles, fromCheckout!.contextFiles, 'the same context files');
  t.same(Object.keys(fromMirror!.contextFiles), ['requirements.txt'], 'flat files only, the Dockerfile not twice');
  t.equal(fromCheckout!.dockerfilePath, join(upstream, '.airut/container/Dockerfile'));
  t.equal(fromMirror!.dockerfilePath, '.airut/container/Dockerfile (default branch of r)');

  const a = await readAllowlist(checkout, REPO_SANDBOX_PATHS.allowlist);
  const b = await readAllowlist(mirror, REPO_SANDBOX_PATHS.allowlist);
  t.equal(a.found, true);
  t.equal(b.found, true);
  t.equal(a.text, b.text);
  t.same(a.allowlist.toJSON(), b.allowlist.toJSON(), 'the same entries');
  t.match(JSON.stringify(b.allowlist.toJSON()), /api\.test/);
});

void t.test('missing files read as missing from both sources; an invalid allowlist fails closed from both, naming its place', async (t) => {
  const { checkout, mirror } = await bothSources(t, { [REPO_SANDBOX_PATHS.allowlist]: 'domains: [ok.test]\nurl_prefixes:\n  - host: a.test\n    methods: [FETCH]\n' });
  for (const files of [checkout, mirror]) {
    t.equal(await findImageSource(files, 'nowhere/Dockerfile'), undefined);
    t.equal(await files.readDirectory('nowhere'), undefined);
    t.equal(await files.readDirectory('README.md'), undefined, 'a file is no directory');
    const missing = await readAllowlist(files, '.airut/other-allowlist.yaml');
    t.same([missing.found, missing.text, missing.allowlist.isEmpty], [false, '', true]);
  }
  await t.rejects(readAllowlist(checkout, REPO_SANDBOX_PATHS.allowlist), { code: 'ALLOWLIST_INVALID', message: /network-allowlist\.yaml:4:15: url_prefixes\[0\]\.methods\[0\]/ });
  await t.rejects(readAllowlist(mirror, REPO_SANDBOX_PATHS.allowlist), { code: 'ALLOWLIST_INVALID', message: /network-allowlist\.yaml \(default branch of r\):4:15: url_prefixes\[0\]\.methods\[0\]/ });
});

void t.test('a checkout leaves symlinks and subdirectories out of a directory, as git\'s tree listing does', async (t) => {
  const dir = await scratch(t);
  await mkdir(join(dir, 'ctx', 'sub'), { recursive: true });
  await writeFile(join(dir, 'ctx', 'Dockerfile'), 'FROM x\n');
  await writeFile(join(dir, 'outside'), 'host file\n');
  await symlink(join(dir, 'outside'), join(dir, 'ctx', 'link'));
  const listed = await checkoutFiles(dir).readDirectory('ctx');
  t.same(listed?.map((f) => f.name), ['Dockerfile']);
});
