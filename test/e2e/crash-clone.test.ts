/**
 * `kill -9` of `airut serve` while a new conversation's workspace is cloned
 * (with its git child, as systemd kills a unit's group, and alone), then a
 * restart: no half-made workspace is ever used, the leftover is removed, the
 * workspace is made again with origin at repo_url, the owed acknowledgement
 * is sent and the task runs once. A git stand-in on PATH holds the clone.
 */
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { waitForFile } from './gateway-world.js';
import { idOf, startCrashWorld } from './crash-kit.js';
import { signalChild } from '../harness/signal-child.js';

t.test('kill -9 during the workspace clone; the workspace appears whole and the mail is answered once', async (t) => {
  const c = await startCrashWorld(t);

  for (const [mode, title] of [['hang', 'the service and its git clone killed together'], ['orphan', 'only the service killed; the clone finishes alone']] as const) {
    await t.test(`during the workspace clone: ${title}`, async (t) => {
      const tag = `Clone ${mode}`;
      const conversations = join(c.world.conversationDir('00000000'), '..');
      const before = new Set(await readdir(conversations).catch(() => []));
      await writeFile(join(c.bin, 'block'), mode);
      await rm(join(c.bin, 'git.pid'), { force: true });
      await c.send(tag);
      await waitForFile(join(c.bin, 'git.pid'));
      const gitPid = Number((await readFile(join(c.bin, 'git.pid'), 'utf8')).trim());
      await c.kill();
      if (mode === 'hang') signalChild({ pid: gitPid }, 'SIGKILL');
      else await waitForFile(join(c.bin, 'orphan-done'));
      await rm(join(c.bin, 'block'));
      const [id] = (await readdir(conversations)).filter((n) => !before.has(n));
      t.ok(id, 'the conversation was created');
      const dir = c.world.conversationDir(id ?? '');
      t.notOk(existsSync(join(dir, 'workspace')), 'no workspace appeared');
      t.match((await readdir(dir)).filter((n) => n.endsWith('.tmp')), [/^\.workspace\.[0-9a-f]{8}\.tmp$/], 'only a temporary clone is left');

      await c.world.restart('success');
      await c.waitAnswers(tag, 1);
      await c.inboxEmpty();
      t.match(c.world.output(), /removed workspace clones a crash cut short.*count=1/, 'the restart removed the leftover clone');
      const { acks, answers } = await c.mailsOf(tag);
      t.equal(acks.length, 1, 'the acknowledgement owed is sent');
      t.equal(answers.length, 1, 'one answer');
      t.equal(idOf(answers[0]), id, 'in the conversation the mail started');
      t.equal(await c.runsOf(id ?? ''), 1, 'one run');
      t.notOk((await readdir(dir)).some((n) => n.endsWith('.tmp')), 'the leftover is gone');
      t.equal((await execa('git', ['-C', join(dir, 'workspace'), 'remote', 'get-url', 'origin'])).stdout, c.world.repoUrl, 'origin is repo_url, not the mirror');
      t.equal((await execa('git', ['-C', join(dir, 'workspace'), 'log', '--format=%s'])).stdout, 'initial', 'the commit is there');
      t.ok(existsSync(join(dir, 'workspace', 'README.md')), 'checked out');
    });
  }
});
