import t from 'tap';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { authorizationFor, packumentUrl, resolveNpmRegistry } from '../../../../src/sandbox/claude/binary/npm-registry.js';
import { makeCache, startRegistry, tempDir } from './setup.js';

void t.test('without configuration npm\'s default registry is used', async (t) => {
  const home = await tempDir(t);
  const registry = await resolveNpmRegistry({ env: {}, homedir: home });
  t.equal(registry.url, 'https://registry.npmjs.org/');
  t.equal(registry.source, 'npm default');
  t.equal(packumentUrl(registry, '@anthropic-ai/claude-code-linux-x64'), 'https://registry.npmjs.org/@anthropic-ai%2fclaude-code-linux-x64');
});

void t.test('~/.npmrc registry, scoped registry and env overrides, in npm\'s order', async (t) => {
  const home = await tempDir(t);
  await writeFile(join(home, '.npmrc'), '; comment\nregistry = https://mirror.example/npm\n');
  t.same(await resolveNpmRegistry({ env: {}, homedir: home }), {
    url: 'https://mirror.example/npm/', source: `${join(home, '.npmrc')}: registry`, credentials: new Map(),
  });
  await writeFile(join(home, '.npmrc'), 'registry=https://mirror.example/npm/\n@anthropic-ai:registry="https://scoped.example/"\n');
  t.equal((await resolveNpmRegistry({ env: {}, homedir: home })).url, 'https://scoped.example/');
  // As npm does for a scoped package, the scope's registry wins over a plain one from a higher layer.
  const env = { npm_config_registry: 'https://env.example/r' };
  t.same(await resolveNpmRegistry({ env, homedir: home }).then((r) => [r.url, r.source]), ['https://scoped.example/', `${join(home, '.npmrc')}: @anthropic-ai:registry`]);
  t.same(await resolveNpmRegistry({ env, homedir: home, packageName: 'airut' }).then((r) => [r.url, r.source]), ['https://env.example/r/', 'env npm_config_registry']);
  t.same(await resolveNpmRegistry({ env: { 'npm_config_@anthropic-ai:registry': 'https://env-scoped.example' }, homedir: home }).then((r) => [r.url, r.source]), ['https://env-scoped.example/', 'env npm_config_@anthropic-ai:registry']);
  const other = await tempDir(t);
  await writeFile(join(other, 'rc'), 'registry=https://userconfig.example/\n');
  t.equal((await resolveNpmRegistry({ env: { NPM_CONFIG_USERCONFIG: join(other, 'rc') }, homedir: home })).url, 'https://userconfig.example/');
});

void t.test('tokens apply only to the host and path they were configured for, with ${VAR} expanded', async (t) => {
  const home = await tempDir(t);
  await writeFile(join(home, '.npmrc'), [
    'registry=https://npm.corp.example/api/npm/',
    '//npm.corp.example/api/npm/:_authToken=${CORP_TOKEN}',
    '//npm.corp.example/:_authToken=host-wide',
    '//other.example/:_auth=dXNlcjpwYXNz',
  ].join('\n'));
  const registry = await resolveNpmRegistry({ env: { CORP_TOKEN: 'tok-123' }, homedir: home });
  t.equal(authorizationFor(registry, 'https://npm.corp.example/api/npm/@anthropic-ai%2fclaude-code-linux-x64'), 'Bearer tok-123');
  t.equal(authorizationFor(registry, 'https://npm.corp.example/files/x.tgz'), 'Bearer host-wide');
  t.equal(authorizationFor(registry, 'https://other.example/x.tgz'), 'Basic dXNlcjpwYXNz');
  t.equal(authorizationFor(registry, 'https://registry.npmjs.org/x'), undefined);
  t.equal(authorizationFor(registry, 'https://npm.corp.example.evil/api/npm/x'), undefined, 'a look-alike host gets nothing');
});

void t.test('the cache sends the configured token to the registry', async (t) => {
  const registry = await startRegistry(t);
  registry.publish('2.1.332');
  const home = await tempDir(t);
  const host = new URL(registry.url).host;
  await writeFile(join(home, '.npmrc'), `registry=${registry.url}\n//${host}/:_authToken=secret-token\n`);
  const dir = await tempDir(t);
  await makeCache(dir, home, registry, { registryUrl: undefined }).ensure('2.1.332');
  t.same(registry.requests.map((r) => r.authorization), ['Bearer secret-token', 'Bearer secret-token']);
});

void t.test('an npm user config that cannot be read is a registry error naming it', async (t) => {
  const home = await tempDir(t);
  await mkdir(join(home, '.npmrc'));
  await t.rejects(resolveNpmRegistry({ env: {}, homedir: home }), { code: 'CLAUDE_BIN_REGISTRY', message: new RegExp(`Reading the npm config ${join(home, '.npmrc')} failed`) });
});

void t.test('project, user and global npmrc in npm\'s order; the project is the nearest package root above cwd', async (t) => {
  const home = await tempDir(t);
  const project = await tempDir(t);
  const prefix = await tempDir(t);
  const cwd = join(project, 'src', 'deep');
  await mkdir(cwd, { recursive: true });
  await mkdir(join(prefix, 'etc'));
  await mkdir(join(prefix, 'bin'));
  const execPath = join(prefix, 'bin', 'node');
  const inputs = { env: {}, homedir: home, cwd, execPath, packageName: 'airut' };
  t.same((await resolveNpmRegistry(inputs)).source, 'npm default');

  await writeFile(join(prefix, 'etc', 'npmrc'), 'registry=https://global.example/\n//global.example/:_authToken=g-token\n');
  t.same(await resolveNpmRegistry(inputs).then((r) => [r.url, r.source]), ['https://global.example/', `${join(prefix, 'etc', 'npmrc')}: registry`], 'the global config under the node binary\'s prefix');
  t.equal(authorizationFor(await resolveNpmRegistry(inputs), 'https://global.example/airut'), 'Bearer g-token');
  const otherGlobal = join(home, 'global-rc');
  await writeFile(otherGlobal, 'registry=https://named-global.example/\n');
  t.equal((await resolveNpmRegistry({ ...inputs, env: { NPM_CONFIG_GLOBALCONFIG: otherGlobal } })).url, 'https://named-global.example/', 'npm_config_globalconfig, any case');
  t.equal((await resolveNpmRegistry({ ...inputs, env: { npm_config_prefix: home } })).source, 'npm default', 'npm_config_prefix moves the global config');

  await writeFile(join(home, '.npmrc'), 'registry=https://user.example/\n//global.example/:_authToken=u-token\n');
  t.same(await resolveNpmRegistry(inputs).then((r) => [r.url, r.source]), ['https://user.example/', `${join(home, '.npmrc')}: registry`], 'user over global');
  t.equal(authorizationFor(await resolveNpmRegistry(inputs), 'https://global.example/airut'), 'Bearer u-token', 'the user\'s token for a prefix wins over the global one');

  await writeFile(join(project, 'package.json'), '{}');
  await writeFile(join(cwd, '.npmrc'), 'registry=https://not-the-project.example/\n');
  t.equal((await resolveNpmRegistry(inputs)).url, 'https://user.example/', 'cwd lies inside a package root, so cwd\'s own .npmrc is not the project\'s');
  await writeFile(join(project, '.npmrc'), 'registry=${MIRROR}/p\n');
  t.same(await resolveNpmRegistry({ ...inputs, env: { MIRROR: 'https://project.example' } }).then((r) => [r.url, r.source]), ['https://project.example/p/', `${join(project, '.npmrc')}: registry`], 'the package root\'s .npmrc, not cwd\'s');
  t.same(await resolveNpmRegistry({ ...inputs, env: { NPM_CONFIG_REGISTRY: 'https://env.example' } }).then((r) => [r.url, r.source]), ['https://env.example/', 'env npm_config_registry'], 'the environment over every file');
  t.same(await resolveNpmRegistry({ ...inputs, env: { NPM_CONFIG_REGISTRY: 'https://upper.example', npm_config_registry: 'https://lower.example' } }).then((r) => r.url), 'https://lower.example/', 'lower case wins, as in npm');
});

void t.test('a directory with no package root above it is its own project', async (t) => {
  const home = await tempDir(t);
  const cwd = await tempDir(t);
  await writeFile(join(cwd, '.npmrc'), 'registry=https://cwd.example/\n');
  t.equal((await resolveNpmRegistry({ env: {}, homedir: home, cwd, packageName: 'airut' })).url, 'https://cwd.example/');
});
