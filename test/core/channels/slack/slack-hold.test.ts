import t from 'tap';
import { HOLD_ALLOW_ACTION, HOLD_DENY_ACTION } from '../../../../src/core/channels/slack/hold-prompt.js';
import type { FakeSlackCall } from '../../../harness/fake-slack/index.js';
import { ADA, GUEST, fakeSlack, startChannel } from './slack-fixture.js';

// The Allow/Deny prompt of a held request over real Socket Mode: the fake
// Slack delivers a block_actions envelope to the real bolt app when the test
// presses a button.

const question = (holdId: string) => ({
  taskId: 'task-1', holdId, method: 'GET', host: 'pkgs.test', path: '/simple/x', expiresAt: new Date(Date.now() + 60_000),
});

function blocksOf(call: FakeSlackCall): unknown {
  const blocks = call.args['blocks'];
  return typeof blocks === 'string' ? JSON.parse(blocks) as unknown : blocks;
}

void t.test('an authorised user\'s Allow answers the hold once; the prompt then says who allowed it', async (t) => {
  const fake = await fakeSlack(t);
  const probe = await startChannel(t, fake);
  const answers: string[] = [];
  let answered: () => void = () => undefined;
  const firstAnswer = new Promise<void>((resolve) => { answered = resolve; });
  await probe.channel.holds.ask({ channel: 'C1', threadTs: '1800000000.000100' }, question('h1'), (allow, who) => { answers.push(`${allow} ${who}`); answered(); });
  const prompt = await fake.waitForCall('chat.postMessage', (c) => c.args['blocks'] !== undefined);
  t.match(prompt.args, { channel: 'C1', thread_ts: '1800000000.000100', text: /GET https:\/\/pkgs\.test\/simple\/x is not on the allowlist/ });
  const message = { channel: 'C1', ts: String(prompt.response?.['ts']), blocks: blocksOf(prompt) };

  await fake.pressButton(GUEST.id, message, HOLD_ALLOW_ACTION);
  await probe.logged((r) => r.message === 'hold button press refused: the user is not authorised for this repo');
  t.same(answers, [], 'a user not authorised for the repo answers nothing');

  await fake.pressButton(ADA.id, message, HOLD_ALLOW_ACTION);
  await firstAnswer;
  t.same(answers, ['true Ada'], 'the authorised press is the answer');

  await probe.channel.holds.settle(question('h1'), { outcome: 'allowed', by: 'Ada' });
  const update = await fake.waitForCall('chat.update');
  t.match(update.args, { channel: 'C1', ts: message.ts, text: /was allowed by Ada for the rest of this run/ });
  t.notMatch(JSON.stringify(blocksOf(update)), /airut_hold/, 'the buttons are gone');

  await fake.pressButton(ADA.id, message, HOLD_DENY_ACTION);
  await probe.logged((r) => r.message === 'hold button pressed on a prompt that is no longer open');
  t.same(answers, ['true Ada'], 'a press after the hold ended changes nothing');
});

void t.test('Deny answers false; a hold that expired says so', async (t) => {
  const fake = await fakeSlack(t);
  const probe = await startChannel(t, fake);
  const answers: boolean[] = [];
  let answered: () => void = () => undefined;
  const firstAnswer = new Promise<void>((resolve) => { answered = resolve; });
  await probe.channel.holds.ask({ channel: 'C1', threadTs: '1800000000.000100' }, question('h2'), (allow) => { answers.push(allow); answered(); });
  await probe.channel.holds.ask({ channel: 'C1', threadTs: '1800000000.000100' }, question('h3'), (allow) => { answers.push(allow); });
  const [deny] = fake.callsOf('chat.postMessage');
  if (deny === undefined) return;
  await fake.pressButton(ADA.id, { channel: 'C1', ts: String(deny.response?.['ts']), blocks: blocksOf(deny) }, HOLD_DENY_ACTION);
  await firstAnswer;
  t.same(answers, [false]);
  await probe.channel.holds.settle(question('h3'), { outcome: 'expired' });
  t.match((await fake.waitForCall('chat.update')).args, { text: /was refused: no answer in time/ });
});
