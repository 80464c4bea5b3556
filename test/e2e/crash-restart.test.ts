import { readdir, readFile } from 'node:fs/promises';
import { signalChild } from '../harness/signal-child.js';
import { join } from 'node:path';
import t from 'tap';
import { ALICE, GATEWAY, startGatewayWorld, waitForFile } from './gateway-world.js';

t.test('kill -9 in the middle of a task, restart: the mail is answered exactly once, in its conversation', async (t) => {
  const world = await startGatewayWorld(t, { scenario: 'wait' });
  await world.provider.send(ALICE, { from: ALICE.address, to: GATEWAY.address, subject: 'Crash me', text: 'Do the thing.' });
  const [ack] = await world.provider.waitFor(ALICE.address, (m) => m.length >= 1, 120_000);
  const id = /\[ID:([0-9a-f]{8})\]/.exec(ack?.parsed.subject ?? '')?.[1] ?? '';
  await world.line(/task started/);
  // Claude itself has started (the fake one keeps each run's prompt): the kill lands mid-run.
  await waitForFile(join(world.conversationDir(id), 'claude', 'fake', 'runs', '1.stdin'));
  signalChild(world.child, 'SIGKILL');
  await world.child;
  t.equal((await world.provider.list(GATEWAY.address)).length, 1, 'the unanswered mail is still in the inbox');

  await world.restart('success');
  const mails = await world.provider.waitFor(ALICE.address, (m) => m.length >= 2, 120_000);
  await world.line(/task finished .*reason=success/);
  t.equal(mails.length, 2, 'one acknowledgement, one answer');
  t.equal(mails[1]?.parsed.subject, `Re: [ID:${id}] Crash me`, 'answered in the conversation it started');
  t.match(mails[1]?.parsed.text, /First answer\./);
  t.equal((await world.provider.list(GATEWAY.address)).length, 0, 'the answered mail left the inbox');
  const record = JSON.parse(await readFile(join(world.stateDir, 'conversations', id, 'conversation.json'), 'utf8'));
  t.equal(record.replies.length, 1);
  // The run cut off mid-task never produced an answer, so it ran again; one completed run, no third.
  const runs = await readdir(join(world.conversationDir(id), 'claude', 'fake', 'runs'));
  t.equal(runs.length, 2, 'one interrupted run, one completed run');

  // A third start finds nothing to answer again.
  signalChild(world.child, 'SIGTERM');
  await world.child;
  await world.restart('success');
  t.equal((await world.provider.list(ALICE.address)).length, 2);
  t.equal(world.output().match(/task started/g)?.length ?? 0, 0);
  t.equal((await readdir(join(world.conversationDir(id), 'claude', 'fake', 'runs'))).length, 2, 'no further run');
});
