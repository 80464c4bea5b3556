import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ALICE, startGatewayWorld } from './gateway-world.js';

t.test('script schedules in the sandbox: blank output sends nothing and leaves no conversation; a failure delivers the failure prompt\'s answer', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'airut-clock-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const clock = join(dir, 'now');
  await writeFile(clock, '2026-06-01T06:59:00Z');
  const world = await startGatewayWorld(t, {
    scenario: 'success',
    serveArgs: ['--schedule-clock-file', clock],
    schedules: {
      quiet: { cron: '0 7 * * *', timezone: 'UTC', trigger_command: 'sh -c "test -f /workspace/README.md"', deliver: { to: ALICE.address } },
      failing: { cron: '0 8 * * *', timezone: 'UTC', subject: 'Trigger broke', trigger_command: "sh -c 'echo half-done; echo no such file >&2; exit 3' | ignored", deliver: { to: ALICE.address } },
    },
  });
  await world.line(/schedule armed.*schedule=failing/);

  await writeFile(clock, '2026-06-01T07:00:02Z');
  await world.line(/scheduled run finished.*schedule=quiet.*outcome=nothing_to_do/);
  t.match(world.output(), /scheduled task has nothing to do; nothing is sent/);
  const conversations = join(world.stateDir, 'conversations');
  t.same(await readdir(conversations).catch(() => []), [], 'no conversation left behind');

  await writeFile(clock, '2026-06-01T08:00:02Z');
  await world.line(/scheduled run finished.*schedule=failing.*outcome=delivered/);
  const mails = await world.provider.waitFor(ALICE.address, (m) => m.length >= 1, 120_000);
  t.equal(mails.length, 1, 'only the failing trigger delivered anything');
  const id = /^\[ID:([0-9a-f]{8})\] Trigger broke$/.exec(mails[0]?.parsed.subject ?? '')?.[1] ?? '';
  t.match(id, /^[0-9a-f]{8}$/);
  t.match(mails[0]?.parsed.text, /First answer\./);
  const prompt = await readFile(join(world.conversationDir(id), 'claude', 'fake', 'stdin'), 'utf8');
  t.match(prompt, /The scheduled trigger script failed unexpectedly\.\n\nCommand: sh -c 'echo half-done; echo no such file >&2; exit 3' \| ignored\nExit code: 3\n\nOutput:\nhalf-done\nno such file\n/);
  t.match(prompt, /Investigate the failure and report findings\./);
});
