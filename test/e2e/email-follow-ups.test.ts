import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { ALICE, GATEWAY, startGatewayWorld, waitForFile } from './gateway-world.js';

t.test('three follow-ups while a task runs: one more run holding all three in order, one reply for them', async (t) => {
  const world = await startGatewayWorld(t, { scenario: 'success' });
  await world.provider.send(ALICE, {
    from: ALICE.address,
    to: GATEWAY.address,
    subject: 'Refactor the parser',
    text: 'Please refactor the parser.\nfake-claude: until-released\n',
    messageId: '<start@corp.test>',
  });
  const [ack] = await world.provider.waitFor(ALICE.address, (m) => m.length >= 1, 120_000);
  const id = /\[ID:([0-9a-f]{8})\]/.exec(ack?.parsed.subject ?? '')?.[1] ?? '';
  t.match(id, /^[0-9a-f]{8}$/);
  const fake = join(world.conversationDir(id), 'claude', 'fake');
  await waitForFile(join(fake, 'started'));

  // Alice answers the acknowledgement three times while the first run is still going.
  const bodies = ['Follow-up one: keep the API.', 'Follow-up two: add tests.', 'Follow-up three: update the docs.'];
  for (const [i, text] of bodies.entries()) {
    await world.provider.send(ALICE, {
      from: ALICE.address,
      to: GATEWAY.address,
      subject: `Re: ${ack?.parsed.subject ?? ''}`,
      text,
      messageId: `<follow-${i + 1}@corp.test>`,
      inReplyTo: ack?.parsed.messageId,
      references: ['<start@corp.test>', ack?.parsed.messageId ?? ''],
    });
  }
  // The first follow-up waits as the next run; the other two are merged into it.
  await world.lines(/message merged into the next run/, 2);
  t.notOk(existsSync(join(fake, 'runs', '2.stdin')), 'no second run while the first is going');
  await writeFile(join(fake, 'release'), '');

  await world.lines(/task finished .*reason=success/, 2);
  const mails = await world.provider.waitFor(ALICE.address, (m) => m.length >= 3, 120_000);
  t.equal(mails.length, 3, 'acknowledgement, answer to the first mail, one answer to the three follow-ups');
  t.match(mails[1]?.parsed.text, /Run 1 done\./);
  t.equal(mails[1]?.parsed.inReplyTo, '<start@corp.test>');
  t.match(mails[2]?.parsed.text, /First answer\.\s+Second answer\./);
  t.match(mails[2]?.parsed.subject, `[ID:${id}]`);
  t.equal(world.output().match(/task started/g)?.length, 2, 'exactly two runs');
  t.match(world.output(), /task started .*messages=3/);

  t.same((await readdir(join(fake, 'runs'))).sort(), ['1.stdin', '2.stdin'], 'the fake claude ran twice in this conversation');
  const second = await readFile(join(fake, 'runs', '2.stdin'), 'utf8');
  const at = bodies.map((body) => second.indexOf(body));
  t.ok(at.every((i) => i >= 0), 'the second prompt holds all three follow-ups');
  t.same([...at].sort((a, b) => a - b), at, 'in the order they were sent');
  t.equal(second.match(/\[alice@corp\.test \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\]/g)?.length, 3, 'each attributed to its sender and time');
  t.notMatch(second, /refactor the parser/, 'the first mail is not asked again');

  const record = JSON.parse(await readFile(join(world.conversationDir(id), 'conversation.json'), 'utf8')) as { replies: unknown[] };
  t.equal(record.replies.length, 2);
  t.equal((await world.provider.list(GATEWAY.address)).length, 0, 'all four mails left the inbox');
});
