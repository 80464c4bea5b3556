import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { ConfigError, loadConfig } from '../../../src/core/config/index.js';

async function configFile(t: Test, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'airut-config-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'airut.yaml');
  await writeFile(file, text);
  return file;
}

void t.test('a wrong type names the key path', async (t) => {
  const path = await configFile(t, 'repos: {x: {model: 5}}\n');
  const error = await loadConfig({ path, env: {} }).catch((e: unknown) => e);
  t.type(error, ConfigError);
  t.match((error as ConfigError).message, /repos\.x\.model: must be a string, got 5 \(airut\.yaml line 1, column 20\)/);
});

void t.test('an unset !env names the variable and the key', async (t) => {
  const path = await configFile(t, 'repos:\n  x:\n    email:\n      password: !env UNSET_VAR_XYZ\n');
  await t.rejects(loadConfig({ path, env: {} }), {
    code: 'CONFIG_INVALID',
    message: /repos\.x\.email\.password: environment variable UNSET_VAR_XYZ is not set/,
  });
});
