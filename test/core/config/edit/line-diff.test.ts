import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import t from 'tap';
import { unifiedDiff } from '../../../../src/core/config/edit/index.js';

t.test('equal texts have no diff', (t) => {
  t.equal(unifiedDiff('a\nb\n', 'a\nb\n', 'x.yaml'), '');
  t.end();
});

t.test('a changed line in the middle: one hunk with three lines of context', (t) => {
  const before = 'l1\nl2\nl3\nl4\nl5\nl6\nl7\nl8\nl9\n';
  const after = before.replace('l5', 'L5');
  t.equal(unifiedDiff(before, after, 'x.yaml'), '--- a/x.yaml\n+++ b/x.yaml\n@@ -2,7 +2,7 @@\n l2\n l3\n l4\n-l5\n+L5\n l6\n l7\n l8\n');
  t.end();
});

t.test('a new file, and lines added at the end', (t) => {
  t.equal(unifiedDiff('', 'a\nb\n', 'x.yaml'), '--- a/x.yaml\n+++ b/x.yaml\n@@ -0,0 +1,2 @@\n+a\n+b\n');
  t.equal(unifiedDiff('a\n', 'a\nb\n', 'x.yaml'), '--- a/x.yaml\n+++ b/x.yaml\n@@ -1 +1,2 @@\n a\n+b\n');
  t.end();
});

t.test('GNU patch applies every diff and gets the new text back', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'airut-diff-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const base = Array.from({ length: 40 }, (_, index) => `key${index}: value ${index}`);
  const cases: [string, string[]][] = [
    ['far apart changes', base.map((line, index) => (index === 2 || index === 30 ? `${line} changed` : line))],
    ['close changes merge into one hunk', base.map((line, index) => (index === 10 || index === 14 ? `${line} changed` : line))],
    ['insertions and deletions', [...base.slice(0, 5), 'new: 1', 'new: 2', ...base.slice(8, 20), ...base.slice(22), 'tail: yes']],
    ['everything replaced', base.map((line) => `other ${line}`)],
    ['all removed', []],
  ];
  for (const [name, lines] of cases) {
    const before = `${base.join('\n')}\n`;
    const after = lines.length === 0 ? '' : `${lines.join('\n')}\n`;
    const file = join(dir, 'airut.yaml');
    await writeFile(file, before);
    const patch = unifiedDiff(before, after, 'airut.yaml');
    const applied = await execa('patch', ['--quiet', '--force', file], { input: patch, reject: false });
    t.equal(applied.exitCode, 0, `${name}: patch accepts it ${applied.stderr}${applied.stdout}`);
    t.equal(await readFile(file, 'utf8'), after, `${name}: patch reproduces the new text`);
  }
});
