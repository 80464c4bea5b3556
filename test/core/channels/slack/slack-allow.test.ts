import t, { type Test } from 'tap';
import type { ApprovableEntry, IncomingMessage } from '../../../../src/core/channels/index.js';
import { allowActionId } from '../../../../src/core/channels/slack/allow-buttons.js';
import { parseSlackMessageId } from '../../../../src/core/channels/slack/slack-event.js';
import type { FakeSlack, FakeSlackCall } from '../../../harness/fake-slack/index.js';
import { ADA, GUEST, dmEvent, fakeSlack, startChannel, type ChannelProbe } from './slack-fixture.js';

// The "Allow N" buttons under a reply whose run was blocked, over real Socket
// Mode: the fake Slack delivers a block_actions envelope to the real bolt app
// when the test presses a button.

const THREAD = '1800000000.000100';
const entry = (number: number): ApprovableEntry => ({ number, method: 'GET', host: 'pkgs.test', pathPrefix: `/simple/p${number}` });

function blocksOf(call: FakeSlackCall): unknown[] | undefined {
  const blocks = call.args['blocks'];
  return (typeof blocks === 'string' ? JSON.parse(blocks) : blocks) as unknown[] | undefined;
}

function buttonsOf(call: FakeSlackCall): { action_id: string; text: { text: string }; value: string }[] {
  const actions = (blocksOf(call) ?? []).find((b) => (b as { type?: string }).type === 'actions') as { elements?: unknown[] } | undefined;
  return (actions?.elements ?? []) as { action_id: string; text: { text: string }; value: string }[];
}

/** A channel with a DM thread mapped to conversation `c0ffee01`, as after its first reply. */
async function threadWithMessage(t: Test): Promise<{ fake: FakeSlack; probe: ChannelProbe; message: IncomingMessage }> {
  const fake = await fakeSlack(t);
  const probe = await startChannel(t, fake);
  const next = probe.nextMessage();
  await fake.sendEvent(dmEvent('fetch x', '1800000000.000200', THREAD));
  return { fake, probe, message: await next };
}

void t.test('a reply with approvable entries ends with Allow buttons for the first five; none without', async (t) => {
  const { fake, probe, message } = await threadWithMessage(t);
  await probe.channel.reply(message, 'c0ffee01', { kind: 'result', markdown: 'Blocked, see the **receipt**.', attachments: [] });
  const plain = fake.callsOf('chat.postMessage').at(-1) as FakeSlackCall;
  t.equal(plain.args['blocks'], undefined, 'no field, no blocks');

  const approvable = [1, 2, 3, 4, 5, 6, 7].map(entry);
  await probe.channel.reply(message, 'c0ffee01', { kind: 'result', markdown: 'Blocked, see the **receipt**.', attachments: [], approvable });
  const post = fake.callsOf('chat.postMessage').at(-1) as FakeSlackCall;
  t.equal(post.args['text'], 'Blocked, see the *receipt*.', 'the text stays the fallback');
  t.match(blocksOf(post)?.[0], { type: 'section', text: { type: 'mrkdwn', text: 'Blocked, see the *receipt*.' } }, 'the text is shown above the buttons');
  const buttons = buttonsOf(post);
  t.same(buttons.map((b) => b.text.text), ['Allow 1', 'Allow 2', 'Allow 3', 'Allow 4', 'Allow 5']);
  t.same(buttons.map((b) => b.action_id), [1, 2, 3, 4, 5].map(allowActionId));
  t.notOk(buttons.some((b) => /hold/.test(b.action_id)), 'not the hold prompt\'s action ids');
  t.same(JSON.parse(buttons[1]?.value ?? '{}'), { n: 2, m: 'GET', h: 'pkgs.test', p: '/simple/p2' }, 'the value names the entry');
});

void t.test('a split reply puts the buttons on its last message only', async (t) => {
  const { fake, probe, message } = await threadWithMessage(t);
  const paragraph = `${'word '.repeat(199)}words`;
  const long = Array.from({ length: 60 }, () => paragraph).join('\n\n');
  await probe.channel.reply(message, 'c0ffee01', { kind: 'result', markdown: long, attachments: [], approvable: [entry(1)] });
  const posts = fake.callsOf('chat.postMessage').filter((c) => c.args['thread_ts'] === THREAD);
  t.equal(posts.length, 2, 'split in two');
  t.equal(posts[0]?.args['blocks'], undefined, 'none on the first');
  t.same(buttonsOf(posts[1] as FakeSlackCall).map((b) => b.text.text), ['Allow 1'], 'the button on the last');
  const sections = (blocksOf(posts[1] as FakeSlackCall) ?? []).filter((b) => (b as { type?: string }).type === 'section') as { text: { text: string } }[];
  t.equal(sections.map((s) => s.text.text).join('\n\n'), posts[1]?.args['text'], 'the last message shows its whole text in sections');
  t.ok(sections.every((s) => s.text.text.length <= 3000), 'each section within Slack\'s limit');
});

void t.test('presses: an authorised one is one allow message of the thread\'s conversation; others and a second press change nothing', async (t) => {
  const { fake, probe, message } = await threadWithMessage(t);
  await probe.channel.reply(message, 'c0ffee01', { kind: 'result', markdown: 'Blocked.', attachments: [], approvable: [entry(1), entry(2)] });
  const post = fake.callsOf('chat.postMessage').at(-1) as FakeSlackCall;
  const shown = { channel: 'D1', ts: String(post.response?.['ts']), threadTs: THREAD, text: String(post.args['text']), blocks: blocksOf(post) };
  const before = probe.messages.length;

  await fake.pressButton(GUEST.id, shown, allowActionId(2));
  await probe.logged((r) => r.message === 'allow button press refused: the user is not authorised for this repo');
  t.equal(probe.messages.length, before, 'an unauthorised press hands nothing to the gateway');

  const taken = probe.nextMessage();
  await fake.pressButton(ADA.id, shown, allowActionId(2));
  const press = await taken;
  t.match(press, { channel: 'slack', repoId: 'demo', conversationId: 'c0ffee01', sender: 'Ada <UADA>', text: 'allow 2', attachments: [] });
  t.same(press.approves, [entry(2)], 'it names the exact entry the button showed');
  t.match(parseSlackMessageId(press.messageId), { channel: 'D1', threadTs: THREAD }, 'a Slack message id of the thread');
  t.not(press.messageId, message.messageId);

  const update = await fake.waitForCall('chat.update');
  t.match(update.args, { channel: 'D1', ts: shown.ts, text: 'Blocked.' });
  const rewritten = blocksOf(update) ?? [];
  t.match(rewritten[0], { type: 'section', text: { text: 'Blocked.' } }, 'the text stays');
  t.match(JSON.stringify(rewritten), /Ada approved 2\. `GET pkgs\.test\/simple\/p2` for this conversation/, 'says who approved which entry');
  t.same(buttonsOf(update).map((b) => b.text.text), ['Allow 1'], 'the pressed button is gone, the other stays');

  await fake.pressButton(ADA.id, shown, allowActionId(2));
  await probe.logged((r) => r.message === 'allow button pressed again; ignored');
  t.equal(probe.messages.length, before + 1, 'a second press of the same button is not run again');
  t.equal(fake.callsOf('chat.update').length, 1);
});
