import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { displayWidth, markdownToMrkdwn, resolveInbound, rewriteOutbound } from '../../../../src/core/channels/slack/index.js';

const golden = join(fileURLToPath(new URL('.', import.meta.url)), 'golden');

t.test('golden files: each golden/NAME.md renders to golden/NAME.mrkdwn', async (t) => {
  const inputs = (await readdir(golden)).filter((f) => f.endsWith('.md'));
  t.ok(inputs.length >= 4, 'the golden set is present');
  for (const input of inputs) {
    const markdown = await readFile(join(golden, input), 'utf8');
    const expected = await readFile(join(golden, input.replace(/\.md$/, '.mrkdwn')), 'utf8');
    t.equal(markdownToMrkdwn(markdown), expected, input);
  }
});

t.test('display width counts wide characters and emoji as two columns', async (t) => {
  t.equal(displayWidth('abc'), 3);
  t.equal(displayWidth('東京'), 4);
  t.equal(displayWidth('🚀x'), 3);
  t.equal(displayWidth('e\u0301'), 1, 'a combining accent takes no column');
});

t.test('inbound markup becomes readable text', async (t) => {
  const names: Record<string, string> = { UADA: 'Ada' };
  const text = resolveInbound('hi <@UADA> and <@UOTHER|x> in <#C1|general> <#C2> <!subteam^S1|oncall> <!here> <https://e.com|site> <https://e.com/a> a &lt; b &amp;&amp; c', (id) => names[id]);
  t.equal(text, 'hi @Ada and @UOTHER in #general #C2 @oncall @here site (https://e.com) https://e.com/a a < b && c');
});

t.test('outbound @names become mentions outside code only; broadcasts and e-mail addresses are left alone', async (t) => {
  const directory = { user: (name: string) => (name.toLowerCase() === 'ada' ? 'UADA' : undefined), group: (h: string) => (h === 'oncall' ? { id: 'S1', handle: 'oncall' } : undefined) };
  const text = rewriteOutbound('thanks @Ada, ping @oncall or @here; mail ada@example.com; `@Ada` and\n```\n@Ada\n```\n@nobody', directory);
  t.equal(text, 'thanks <@UADA>, ping <!subteam^S1|@oncall> or @here; mail ada@example.com; `@Ada` and\n```\n@Ada\n```\n@nobody');
});
