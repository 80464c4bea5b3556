import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { THREAD_STORE_FILE, ThreadStore, splitReply, threadKey } from '../../../../src/core/channels/slack/index.js';
import { Logger, type LogRecord } from '../../../../src/core/log/index.js';
import { tempDir } from './slack-fixture.js';

t.test('threads persist as a flat JSON object and survive reopening; pruning drops dead conversations', async (t) => {
  const dir = await tempDir(t);
  const store = await ThreadStore.open(dir, new Logger(() => undefined));
  await store.register(threadKey('C1', '1.0'), 'aaaa0001');
  await store.register(threadKey('D1', '2.0'), 'bbbb0002');
  t.same(JSON.parse(await readFile(join(dir, THREAD_STORE_FILE), 'utf8')), { 'C1:1.0': 'aaaa0001', 'D1:2.0': 'bbbb0002' });
  const reopened = await ThreadStore.open(dir, new Logger(() => undefined));
  t.equal(reopened.conversationOf('C1:1.0'), 'aaaa0001');
  t.equal(await reopened.prune((id) => id === 'bbbb0002'), 1);
  t.equal(reopened.conversationOf('C1:1.0'), undefined);
  t.same(JSON.parse(await readFile(join(dir, THREAD_STORE_FILE), 'utf8')), { 'D1:2.0': 'bbbb0002' });
});

t.test('a corrupt thread map is logged and started over', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, THREAD_STORE_FILE), '{not json');
  const logs: LogRecord[] = [];
  const store = await ThreadStore.open(dir, new Logger((r) => logs.push(r)));
  t.equal(store.conversationOf('C1:1.0'), undefined);
  t.match(logs, [{ level: 'warn', message: /unreadable/ }]);
});

t.test('an unwritable state dir is a typed error', async (t) => {
  const dir = await tempDir(t);
  const store = await ThreadStore.open(join(dir, 'x'), new Logger(() => undefined));
  const { rm } = await import('node:fs/promises');
  await rm(join(dir, 'x'), { recursive: true });
  await t.rejects(store.register('C1:1.0', 'aaaa0001'), { code: 'SLACK_THREAD_STORE_UNWRITABLE' });
});

t.test('splitting prefers paragraph breaks, then lines, then hard cuts', async (t) => {
  t.same(splitReply('short', 10), ['short']);
  t.same(splitReply('aaaa\n\nbbbb\n\ncccc', 10), ['aaaa\n\nbbbb', 'cccc']);
  t.same(splitReply('aaaa\nbbbb\ncccc', 10), ['aaaa\nbbbb', 'cccc']);
  t.same(splitReply('x'.repeat(25), 10), ['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)]);
});
