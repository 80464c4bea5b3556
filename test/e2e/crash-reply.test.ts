/**
 * `kill -9` of `airut serve` around the sending of a reply, then a restart:
 * each mail ends with exactly one task run; an answer arrives once, or twice
 * with the same Message-ID and body only when the kill fell between the
 * provider accepting it and the service recording it. The relay in the test
 * kills the service at the exact point; no hook in the product.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { GATEWAY } from './gateway-world.js';
import { idOf, startCrashWorld } from './crash-kit.js';

t.test('kill -9 around each reply; each mail ends with exactly one run', async (t) => {
  const c = await startCrashWorld(t);

  await t.test('before the acknowledgement was accepted', async (t) => {
    const killed = c.killAt('received', c.isAck('Point one'), true);
    await c.send('Point one');
    await killed;
    await c.world.child;
    t.equal((await c.world.provider.list(GATEWAY.address)).length, 1, 'the mail is still in the inbox');
    await c.world.restart('success');
    await c.waitAnswers('Point one', 1);
    await c.inboxEmpty();
    const { acks, answers } = await c.mailsOf('Point one');
    t.equal(acks.length, 1, 'the owed acknowledgement arrives once');
    t.equal(answers.length, 1, 'one answer');
    t.equal(idOf(acks[0]), idOf(answers[0]), 'in one conversation');
    t.equal(await c.runsOf(idOf(answers[0])), 1, 'one run');
  });

  await t.test('after the acknowledgement was accepted, before it was recorded', async (t) => {
    const killed = c.killAt('accepted', c.isAck('Point two'));
    await c.send('Point two');
    await killed;
    await c.world.child;
    await c.world.restart('success');
    await c.waitAnswers('Point two', 1);
    await c.inboxEmpty();
    const { acks, answers } = await c.mailsOf('Point two');
    t.equal(acks.length, 2, 'the acknowledgement is sent again');
    t.equal(acks[0]?.parsed.messageId, acks[1]?.parsed.messageId, 'with the same Message-ID');
    t.equal(acks[0]?.parsed.text, acks[1]?.parsed.text, 'and the same body');
    t.equal(answers.length, 1, 'one answer');
    t.equal(await c.runsOf(idOf(answers[0])), 1, 'one run');
  });

  await t.test('after the answer was accepted, before it was recorded', async (t) => {
    const killed = c.killAt('accepted', c.isAnswer('Point three'));
    await c.send('Point three');
    await killed;
    await c.world.child;
    const id = idOf((await c.mailsOf('Point three')).answers[0]);
    t.equal(await c.runsOf(id), 1, 'the run finished before the kill');
    await c.world.restart('success');
    await c.waitAnswers('Point three', 2);
    await c.inboxEmpty();
    const { acks, answers } = await c.mailsOf('Point three');
    t.equal(acks.length, 1, 'one acknowledgement');
    t.equal(answers.length, 2, 'the answer is sent again');
    t.equal(answers[0]?.parsed.messageId, answers[1]?.parsed.messageId, 'with the same Message-ID');
    t.equal(answers[0]?.parsed.text, answers[1]?.parsed.text, 'and the same body');
    t.equal(await c.runsOf(id), 1, 'the task is not run again');
    t.notMatch(c.world.output(), /task started/, 'no task after the restart');
    const record = JSON.parse(await readFile(join(c.world.conversationDir(id), 'conversation.json'), 'utf8'));
    t.equal(record.replies.length, 1, 'one recorded reply');
  });

  await t.test('after the answer was recorded', async (t) => {
    await c.send('Point four');
    const [answer] = (await c.waitAnswers('Point four', 1)).filter((x) => c.isAnswer('Point four')(x.parsed));
    const id = idOf(answer);
    // The channel prints this once it recorded the mail handled; the gateway records the answer right after.
    await c.world.line(new RegExp(`reply sent .*kind=result.*conversation=${id}`));
    await c.kill();
    await c.world.restart('success');
    await c.inboxEmpty();
    const { acks, answers } = await c.mailsOf('Point four');
    t.equal(acks.length, 1, 'one acknowledgement');
    t.equal(answers.length, 1, 'the answer is not sent again');
    t.equal(await c.runsOf(id), 1, 'one run');
    t.notMatch(c.world.output(), /task started/, 'no task after the restart');
  });
});
