import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { fileClock } from '../../../src/core/scheduler/file-clock.js';

t.test('the file clock reads the test\'s time and keeps the last one through an empty, garbled or missing file', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'airut-t-clock-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'now');
  const now = fileClock(file);
  const before = Date.now();
  t.ok(now().getTime() >= before, 'no file yet: the system clock');
  await writeFile(file, '2026-06-01T07:00:03Z\n');
  t.equal(now().toISOString(), '2026-06-01T07:00:03.000Z');
  await writeFile(file, '');
  t.equal(now().toISOString(), '2026-06-01T07:00:03.000Z', 'a file caught mid-write keeps the last time');
  await writeFile(file, '2026-06-0');
  t.equal(now().toISOString(), '2026-06-01T07:00:03.000Z', 'half a time too');
  await unlink(file);
  t.equal(now().toISOString(), '2026-06-01T07:00:03.000Z', 'and a file being replaced');
  await writeFile(file, '2026-06-02T08:00:00Z');
  t.equal(now().toISOString(), '2026-06-02T08:00:00.000Z');
});
