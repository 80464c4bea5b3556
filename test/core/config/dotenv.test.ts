import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { parseDotEnv, readDotEnv } from '../../../src/core/config/index.js';

void t.test('plain, exported and commented lines', (t) => {
  t.strictSame(parseDotEnv([
    '# a comment',
    'A=1',
    'export B=two words  ',
    '  C = spaced',
    'D=value # trailing comment',
    'E=a#b',
    'F=',
    '',
  ].join('\n')), { A: '1', B: 'two words', C: 'spaced', D: 'value', E: 'a#b', F: '' });
  t.end();
});

void t.test('single quotes are literal, double quotes know escapes', (t) => {
  t.strictSame(parseDotEnv([
    "S='a \\n $HOME # not a comment'",
    "Q='it\\'s'",
    'D="line1\\nline2\\t\\"quoted\\" \\$HOME \\\\ \\q"',
    'H="x" # comment after quotes',
  ].join('\n')), {
    S: 'a \\n $HOME # not a comment',
    Q: "it's",
    D: 'line1\nline2\t"quoted" $HOME \\ \\q',
    H: 'x',
  });
  t.end();
});

void t.test('quoted values can span lines; CRLF and CR endings work', (t) => {
  t.strictSame(parseDotEnv('KEY="-----BEGIN KEY-----\nabc\n-----END KEY-----"\nNEXT=1\n'), {
    KEY: '-----BEGIN KEY-----\nabc\n-----END KEY-----',
    NEXT: '1',
  });
  t.strictSame(parseDotEnv('A=1\r\nB="x\r\ny"\r\nC=3\rD=4'), { A: '1', B: 'x\ny', C: '3', D: '4' });
  t.end();
});

void t.test('malformed lines are skipped; the last duplicate wins; quoted keys', (t) => {
  t.strictSame(parseDotEnv([
    'no equals sign',
    '=novalue',
    '1BAD=x',
    'U="unterminated',
  ].join('\n')), {});
  t.strictSame(parseDotEnv('A=1\nA=2\n"Q"=3\n'), { A: '2', Q: '3' });
  t.end();
});

void t.test('a missing .env is empty; a directory is an error', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'airut-dotenv-test-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  t.strictSame(await readDotEnv(join(dir, '.env')), {});
  await t.rejects(readDotEnv(dir), { code: 'EISDIR' });
});
