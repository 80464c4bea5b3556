import { lstat, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import t from 'tap';
import { ConfigEditInvalid, openConfigEditor, saveConfigEdits } from '../../../../src/core/config/edit/index.js';
import { loadConfig } from '../../../../src/core/config/index.js';
import { SAMPLE, SAMPLE_ENV, configFile } from './sample.js';

t.test('a save writes the edited file atomically with mode 0600 and returns the loader\'s hash', async (t) => {
  const path = await configFile(t);
  t.equal((await stat(path)).mode & 0o777, 0o644, 'starts world-readable');
  const { hash } = await openConfigEditor({ path, env: SAMPLE_ENV });
  const saved = await saveConfigEdits({ path, env: SAMPLE_ENV, baseHash: hash, edits: [{ op: 'set', path: ['execution', 'max_concurrent'], value: '3' }] });
  t.equal((await stat(path)).mode & 0o777, 0o600, 'the saved file is private to its owner');
  const text = await readFile(path, 'utf8');
  t.match(text, /max_concurrent: 3 +# two containers at once/);
  t.match(text, /password: !env WEB_MAIL_PASSWORD/);
  t.same((await readdir(dirname(path))).sort(), ['airut.yaml'], 'no temp file is left behind');
  const loaded = await loadConfig({ path, env: SAMPLE_ENV });
  t.equal(loaded.hash, saved.hash, 'the returned hash is the one the loader (and /api/status) reports');
  t.equal(loaded.config.execution.max_concurrent, 3);
});

t.test('a save onto a file changed on disk since it was loaded is refused, and the file is left alone', async (t) => {
  const path = await configFile(t);
  const { hash } = await openConfigEditor({ path, env: SAMPLE_ENV });
  const byHand = SAMPLE.replace('model: sonnet', 'model: haiku');
  await writeFile(path, byHand);
  await t.rejects(saveConfigEdits({ path, env: SAMPLE_ENV, baseHash: hash, edits: [{ op: 'set', path: ['execution', 'max_concurrent'], value: '3' }] }), {
    code: 'CONFIG_EDIT_STALE',
    message: /was changed on disk since the editor loaded it; nothing was saved/,
    hint: /Reload the editor/,
  });
  t.equal(await readFile(path, 'utf8'), byHand, 'the hand edit survives');
  await t.rejects(saveConfigEdits({ path, env: SAMPLE_ENV, baseHash: '', edits: [] }), { code: 'CONFIG_EDIT_STALE', message: /was created on disk/ });
});

t.test('an edit that would not load is refused with its problems, and nothing is written', async (t) => {
  const path = await configFile(t);
  const { hash } = await openConfigEditor({ path, env: SAMPLE_ENV });
  const error = await saveConfigEdits({ path, env: SAMPLE_ENV, baseHash: hash, edits: [{ op: 'set', path: ['dashboard', 'port'], value: '99999' }] }).then(() => undefined, (e: unknown) => e);
  t.ok(error instanceof ConfigEditInvalid, 'refused as invalid');
  t.match(error, { code: 'CONFIG_EDIT_INVALID', problems: [{ keyPath: 'dashboard.port', message: 'must be at most 65535, got 99999' }] });
  t.equal(await readFile(path, 'utf8'), SAMPLE);
});

t.test('the first save creates the directory and the file', async (t) => {
  const base = await configFile(t, null);
  const path = join(dirname(base), 'nested', 'airut', 'airut.yaml');
  const model = await openConfigEditor({ path, env: {} });
  t.match(model, { exists: false, hash: '', problems: [] });
  t.equal(model.form?.kind, 'group');
  await saveConfigEdits({ path, env: {}, baseHash: '', edits: [{ op: 'set', path: ['dashboard', 'port'], value: '5201' }] });
  t.equal(await readFile(path, 'utf8'), 'dashboard:\n  port: 5201\n');
  t.equal((await stat(path)).mode & 0o777, 0o600);
  t.equal((await stat(dirname(path))).mode & 0o777, 0o700, 'a created directory is private too');
});

t.test('a symlinked config stays a symlink; its target gets the new text', async (t) => {
  const target = await configFile(t);
  const link = join(dirname(target), 'link.yaml');
  await symlink(target, link);
  const { hash } = await openConfigEditor({ path: link, env: SAMPLE_ENV });
  await saveConfigEdits({ path: link, env: SAMPLE_ENV, baseHash: hash, edits: [{ op: 'set', path: ['repos', 'web', 'model'], value: 'opus' }] });
  t.ok((await lstat(link)).isSymbolicLink());
  t.match(await readFile(target, 'utf8'), /model: opus/);
});
