import { readdir, readFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { safeFileName } from '../../../src/core/channels/index.js';
import { clearOutbox, readOutbox, saveAttachments } from '../../../src/core/gateway/index.js';

const file = (filename: string, text: string) => ({ filename, contentType: 'text/plain', content: Buffer.from(text) });

t.test('attachments: base names only, collisions numbered before the extension, never overwritten', async (t) => {
  const inbox = t.testdir({ 'report.pdf': 'old' });
  const saved = await saveAttachments(inbox, [file('report.pdf', 'a'), file('../../etc/report.pdf', 'b'), file('..', 'c'), file('notes', 'd'), file('notes', 'e')]);
  t.same(saved, ['report-1.pdf', 'report-2.pdf', 'attachment', 'notes', 'notes-1']);
  t.equal(await readFile(join(inbox, 'report.pdf'), 'utf8'), 'old');
  t.equal(await readFile(join(inbox, 'report-2.pdf'), 'utf8'), 'b');
  t.equal(safeFileName('a\u0000b\nc.txt'), 'abc.txt');
  t.equal(safeFileName('C:\\Users\\x\\evil.txt'), 'evil.txt');
});

t.test('outbox: regular files of the root, symlinks never followed, directories kept on clear', async (t) => {
  const root = t.testdir({ secret: 'host file', outbox: { 'b.txt': 'b', 'a.txt': 'a', sub: { 'deep.txt': 'x' } } });
  const outbox = join(root, 'outbox');
  await symlink(join(root, 'secret'), join(outbox, 'link.txt'));
  const contents = await readOutbox(outbox);
  t.same(contents.files.map((f) => f.filename), ['a.txt', 'b.txt']);
  t.same(contents.unreadable, []);
  await clearOutbox(outbox);
  t.same(await readdir(outbox), ['sub']);
  t.equal(await readFile(join(root, 'secret'), 'utf8'), 'host file', 'the link target is untouched');
  t.same(await readOutbox(join(root, 'missing')), { files: [], unreadable: [] });
  await t.resolves(clearOutbox(join(root, 'missing')), 'a missing outbox is already clear');
});
