import t from 'tap';
import type { IncomingMessage, PlanItem } from '../../../../src/core/channels/index.js';
import { PLAN_END_WAIT_MS, planStatus, renderPlan, type PlanTimers } from '../../../../src/core/channels/slack/index.js';
import type { FakeSlackCall } from '../../../harness/fake-slack/index.js';
import { fakeSlack, startChannel } from './slack-fixture.js';

/** Timers on a clock the test moves: nothing fires until `advance`. */
function manualTimers(): { timers: PlanTimers; advance(ms: number): void; pending(): number } {
  let now = 0;
  let next = 0;
  const waiting = new Map<number, { at: number; run: () => void }>();
  return {
    timers: {
      now: () => now,
      setTimeout: (run, ms) => {
        waiting.set(++next, { at: now + ms, run });
        return next;
      },
      clearTimeout: (handle) => { waiting.delete(handle as number); },
    },
    advance: (ms) => {
      now += ms;
      for (const [id, timer] of [...waiting]) {
        if (timer.at > now) continue;
        waiting.delete(id);
        timer.run();
      }
    },
    pending: () => waiting.size,
  };
}

function messageIn(channel: string, threadTs: string): IncomingMessage {
  return {
    channel: 'slack', repoId: 'demo', messageId: `slack:${channel}:${threadTs}:${threadTs}`, conversationId: undefined, sender: 'Ada <UADA>',
    subject: 'x', text: 'x', attachments: [], receivedAt: new Date(0), modelHint: undefined,
  };
}

const plan = (...statuses: PlanItem['status'][]): PlanItem[] => [
  { content: 'Reproduce the failure', activeForm: 'Reproducing the failure', status: statuses[0] ?? 'pending' },
  { content: 'Fix <@UADA> & the test', activeForm: 'Fixing the test', status: statuses[1] ?? 'pending' },
  { content: 'Run the suite', activeForm: 'Running the suite', status: statuses[2] ?? 'pending' },
];

const sectionText = (call: FakeSlackCall | undefined): string => {
  const blocks = call?.args['blocks'] as { text: { text: string } }[] | undefined;
  return (blocks ?? []).map((b) => b.text.text).join('\n');
};

t.test('plans in a channel thread: one post, then chat.update at most once a second with the latest, and the final state on end', async (t) => {
  const fake = await fakeSlack(t);
  const clock = manualTimers();
  const probe = await startChannel(t, fake, { planTimers: clock.timers });
  const thread = '1800000000.000100';
  const progress = probe.channel.progress(messageIn('C1', thread), 'abcd1234');

  progress.plan(plan('in_progress'));
  const post = await fake.waitForCall('chat.postMessage', (c) => c.args['thread_ts'] === thread);
  t.equal(sectionText(post), '*Plan*\n🔄  Reproducing the failure\n⚪  Fix &lt;@UADA&gt; &amp; the test\n⚪  Run the suite', 'the item in progress in its -ing form; Claude\'s words escaped');
  t.equal(post.args['text'], sectionText(post), 'the fallback text is the plan (short enough here)');

  progress.plan(plan('completed', 'in_progress'));
  progress.plan(plan('completed', 'completed', 'in_progress'));
  t.equal(clock.pending(), 1, 'the next update waits for its slot');
  t.same(fake.callsOf('chat.update'), [], 'nothing within the second');
  clock.advance(1000);
  const update = await fake.waitForCall('chat.update');
  t.match(update.args, { channel: 'C1', ts: /^\d+\.\d{6}$/ });
  t.equal(sectionText(update), '*Plan*\n✅  Reproduce the failure\n✅  Fix &lt;@UADA&gt; &amp; the test\n🔄  Running the suite', 'the latest plan; the one in between was skipped');

  progress.plan(plan('completed', 'completed', 'completed'));
  t.equal(clock.pending(), 1, 'held for the next slot');
  await progress.end('completed');
  t.equal(clock.pending(), 0, 'end cancels the wait');
  const updates = fake.callsOf('chat.update');
  t.equal(updates.length, 2, 'end flushed the pending plan in one update');
  t.equal(sectionText(updates[1]), '*Plan* (done)\n✅  Reproduce the failure\n✅  Fix &lt;@UADA&gt; &amp; the test\n✅  Run the suite');
  t.equal(updates.every((u) => u.args['ts'] === updates[0]?.args['ts']), true, 'every update edits the one plan message');
  progress.plan(plan());
  clock.advance(5000);
  t.equal(fake.callsOf('chat.update').length, 2, 'nothing after the end');
  t.equal(fake.callsOf('chat.postMessage').length, 1, 'one plan message');
  t.same(fake.callsOf('assistant.threads.setStatus'), [], 'no assistant status in a channel');
});

t.test('in a DM the assistant status follows the item in progress; a failed task is marked so', async (t) => {
  const fake = await fakeSlack(t);
  const clock = manualTimers();
  const probe = await startChannel(t, fake, { planTimers: clock.timers });
  const progress = probe.channel.progress(messageIn('D1', '1800000000.000200'), 'abcd1234');
  progress.plan(plan('in_progress'));
  const status = await fake.waitForCall('assistant.threads.setStatus');
  t.match(status.args, { channel_id: 'D1', thread_ts: '1800000000.000200', status: 'is reproducing the failure...' });
  clock.advance(1000);
  progress.plan(plan('completed', 'in_progress'));
  await fake.waitForCall('assistant.threads.setStatus', (c) => c.args['status'] === 'is fixing the test...');
  await progress.end('failed');
  t.match(sectionText(fake.callsOf('chat.update').at(-1)), /^\*Plan\* \(failed\)\n✅ {2}Reproduce the failure\n🔄 {2}Fixing the test/);
  t.equal(fake.callsOf('assistant.threads.setStatus').length, 2, 'the final state leaves the status to the answer, which clears it');
});

t.test('a task without a TodoWrite gets no plan message; Slack failures never reach the task', async (t) => {
  const fake = await fakeSlack(t);
  const clock = manualTimers();
  const probe = await startChannel(t, fake, { planTimers: clock.timers });
  await probe.channel.progress(messageIn('C1', '1800000000.000300'), 'abcd1234').end('completed');
  t.same(fake.callsOf('chat.postMessage'), [], 'no plan, no message');

  const progress = probe.channel.progress(messageIn('C1', '1800000000.000400'), 'abcd1234');
  fake.failNext('chat.postMessage', { status: 200, error: 'channel_not_found' });
  progress.plan(plan('in_progress'));
  await probe.logged((r) => r.message === 'Slack plan message not sent');
  clock.advance(1000);
  progress.plan(plan('completed'));
  await t.resolves(progress.end('completed'), 'end resolves although Slack refused the first post');
  t.match(sectionText(fake.callsOf('chat.postMessage').at(-1)), /^\*Plan\* \(done\)/, 'the final state is posted anew');
});

t.test('rendering: long plans split into sections of at most 3000 characters; the fallback text is cut at 200', (t) => {
  const items: PlanItem[] = Array.from({ length: 40 }, (_, i) => ({ content: `Step ${i} ${'x'.repeat(100)}`, status: 'pending' }));
  const message = renderPlan(items);
  t.ok(message.blocks.length > 1);
  t.ok(message.blocks.every((b) => b.text.text.length <= 3000));
  t.equal(message.blocks.map((b) => b.text.text).join('\n').split('\n').length, 41, 'no line lost between sections');
  t.equal(message.text.length, 200);
  t.equal(planStatus([{ content: 'Check CI', activeForm: 'CI checks running', status: 'in_progress' }]), 'is CI checks running...');
  t.equal(planStatus([{ content: 'Done', status: 'completed' }]), undefined);
  t.end();
});

t.test('the answer waits for the final plan 10 s at most: a rate-limited update is waited out behind it', async (t) => {
  const fake = await fakeSlack(t);
  const clock = manualTimers();
  const probe = await startChannel(t, fake, { planTimers: clock.timers });
  const progress = probe.channel.progress(messageIn('C1', '1800000000.000500'), 'abcd1234');
  progress.plan(plan('in_progress'));
  await fake.waitForCall('chat.postMessage');
  // Slack asks to retry in 3 s: the client waits that long (real time) before it tries again.
  fake.failNext('chat.update', { status: 429, retryAfter: 3 });
  clock.advance(1000);
  progress.plan(plan('completed', 'in_progress'));
  await fake.waitForCall('chat.update');
  const ending = progress.end('completed');
  clock.advance(PLAN_END_WAIT_MS);
  await ending;
  t.notOk(fake.callsOf('chat.update').some((c) => String(c.args['text']).includes('(done)')), 'end gave up waiting before the final state went out');
  const final = await fake.waitForCall('chat.update', (c) => String(c.args['text']).startsWith('*Plan* (done)'));
  t.ok(final, 'the final state still follows once the rate limit is waited out');
});
