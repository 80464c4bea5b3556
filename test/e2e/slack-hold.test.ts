/**
 * Approving a blocked request while it waits, end to end: the real `airut
 * serve` with `network.approval_hold_seconds`, the fake Slack speaking Socket
 * Mode to the real bolt app, podman, the real proxy, and the fake claude
 * fetching `GET https://pkgs.test/simple/x` (not on the allowlist) from a
 * fake upstream with curl. The request is held and asked in the task's
 * thread with Allow and Deny: Allow lets it complete (200), Deny and no
 * answer within the hold give the 403.
 */
import t from 'tap';
import { HOLD_ALLOW_ACTION, HOLD_DENY_ACTION } from '../../src/core/channels/slack/hold-prompt.js';
import type { FakeSlackCall } from '../harness/fake-slack/index.js';
import { pkgsUpstream } from '../harness/pkgs-upstream.js';
import { ADA, dmEvent } from '../core/channels/slack/slack-fixture.js';
import { inThread, startSlackWorld, text } from './slack-world.js';

const HOLD_SECONDS = 8;

function blocksOf(call: FakeSlackCall): unknown {
  const blocks = call.args['blocks'];
  return typeof blocks === 'string' ? JSON.parse(blocks) as unknown : blocks;
}

t.test('a held request is asked in the Slack thread: Allow lets it through, Deny and no answer give the 403', { timeout: 900_000 }, async (t) => {
  const pkgs = await pkgsUpstream(t);
  const world = await startSlackWorld(t, {
    egress: pkgs.egress,
    repoNetwork: { approval_hold_seconds: HOLD_SECONDS },
  });
  const { fake } = world;
  const reached = (): number => pkgs.reached().filter((r) => r === 'GET /simple/x').length;

  /** Sends a DM asking to fetch the blocked URL; resolves with its hold prompt and when it was posted. */
  const ask = async (thread: string): Promise<{ message: { channel: string; ts: string; blocks: unknown }; askedAt: number }> => {
    await fake.sendEvent(dmEvent('Install x\nfake-claude: fetch GET:https://pkgs.test/simple/x', thread, thread));
    const prompt = await fake.waitForCall('chat.postMessage', (c) => inThread('D1', thread)(c) && c.args['blocks'] !== undefined && /pkgs\.test/.test(text(c)));
    t.match(text(prompt), /GET https:\/\/pkgs\.test\/simple\/x is not on the allowlist/, 'the prompt names the held request');
    return { message: { channel: 'D1', ts: String(prompt.response?.['ts']), blocks: blocksOf(prompt) }, askedAt: Date.now() };
  };
  const answerOf = (thread: string): Promise<FakeSlackCall> => fake.waitForCall('chat.postMessage', (c) => inThread('D1', thread)(c) && /Fetched:/.test(text(c)));
  const updateOf = (ts: string): Promise<FakeSlackCall> => fake.waitForCall('chat.update', (c) => c.args['ts'] === ts && !/airut_hold/.test(JSON.stringify(c.args['blocks'] ?? '')));

  // Allow within the hold: the held request completes.
  const allowThread = '1800000000.000100';
  const allow = await ask(allowThread);
  t.equal(reached(), 0, 'nothing reached pkgs.test while the request was held');
  await fake.pressButton(ADA.id, allow.message, HOLD_ALLOW_ACTION);
  const allowed = await answerOf(allowThread);
  t.match(text(allowed), /GET https:\/\/pkgs\.test\/simple\/x=200/, 'the held request completed with the upstream\'s 200');
  t.equal(reached(), 1, 'the upstream got the request once');
  t.match(text(await updateOf(allow.message.ts)), /allowed by Ada/, 'the prompt says who allowed it');

  // Deny: the 403, and nothing reaches the upstream.
  const denyThread = '1800000000.000200';
  const deny = await ask(denyThread);
  await fake.pressButton(ADA.id, deny.message, HOLD_DENY_ACTION);
  const denied = await answerOf(denyThread);
  t.match(text(denied), /GET https:\/\/pkgs\.test\/simple\/x=403/, 'a denied request gets the 403');
  t.ok(Date.now() - deny.askedAt < HOLD_SECONDS * 1000, `the 403 came before the hold ended (${Date.now() - deny.askedAt} ms)`);
  t.equal(reached(), 1, 'the denied request did not reach the upstream');
  t.match(text(await updateOf(deny.message.ts)), /denied by Ada|refused/i, 'the prompt says it was denied');

  // No answer: the 403 once the hold ends.
  const idleThread = '1800000000.000300';
  const idle = await ask(idleThread);
  const expired = await answerOf(idleThread);
  const waited = Date.now() - idle.askedAt;
  t.match(text(expired), /GET https:\/\/pkgs\.test\/simple\/x=403/, 'an unanswered request gets the 403');
  t.ok(waited >= (HOLD_SECONDS - 1) * 1000, `it waited for the hold (${waited} ms of ${HOLD_SECONDS} s)`);
  t.equal(reached(), 1, 'the unanswered request did not reach the upstream');
  t.match(text(await updateOf(idle.message.ts)), /no answer in time/, 'the prompt says no one answered in time');
});
