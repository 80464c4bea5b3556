/**
 * Approving a blocked request with the "Allow N" button under a Slack reply,
 * end to end: the real `airut serve`, the fake Slack speaking Socket Mode to
 * the real bolt app, podman, the real proxy, and the fake claude fetching
 * `GET https://pkgs.test/simple/x` (not on the allowlist) from a fake
 * upstream with curl. Run 1 is blocked and its reply has an `Allow 1`
 * button; a press by a user the repo does not authorise approves nothing;
 * the authorised user's press runs the conversation again, and run 2 (told
 * the request is approved, so the fake claude's `retry-approved` retries it)
 * reaches pkgs.test.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { allowActionId } from '../../src/core/channels/slack/allow-buttons.js';
import type { FakeSlackCall } from '../harness/fake-slack/index.js';
import { pkgsUpstream } from '../harness/pkgs-upstream.js';
import { ADA, GUEST, dmEvent } from '../core/channels/slack/slack-fixture.js';
import { inThread, startSlackWorld, text } from './slack-world.js';

function blocksOf(call: FakeSlackCall): unknown {
  const blocks = call.args['blocks'];
  return typeof blocks === 'string' ? JSON.parse(blocks) as unknown : blocks;
}

t.test('the Allow 1 button under a blocked reply approves that request and runs the conversation again', { timeout: 900_000 }, async (t) => {
  const pkgs = await pkgsUpstream(t);
  const world = await startSlackWorld(t, {
    // A message without a `fake-claude:` line (the press's `allow 1`) retries what the prompt says is approved.
    scenario: 'retry-approved',
    egress: pkgs.egress,
  });
  const { fake } = world;
  const reached = pkgs.reached;
  const thread = '1800000000.000100';
  const answers = (): FakeSlackCall[] => fake.callsOf('chat.postMessage').filter((c) => inThread('D1', thread)(c) && /Fetched:/.test(text(c)));

  // Run 1: blocked; its reply lists the request as 1 and has the button.
  await fake.sendEvent(dmEvent('Install x\nfake-claude: fetch GET:https://pkgs.test/simple/x', thread, thread));
  const run1 = await fake.waitForCall('chat.postMessage', (c) => inThread('D1', thread)(c) && /Fetched:/.test(text(c)));
  t.match(text(run1), /GET https:\/\/pkgs\.test\/simple\/x=403/, 'run 1 was blocked');
  t.match(text(run1), /1\. `GET pkgs\.test\/simple\/x` \(1×\)/, 'the receipt lists it as 1');
  const buttons = (blocksOf(run1) as { type: string; elements?: { action_id: string; text: { text: string } }[] }[]).flatMap((b) => b.elements ?? []);
  t.same(buttons.map((b) => [b.action_id, b.text.text]), [[allowActionId(1), 'Allow 1']], 'the reply has an Allow 1 button');
  const shown = { channel: 'D1', ts: String(run1.response?.['ts']), threadTs: thread, text: text(run1), blocks: blocksOf(run1) };
  const conversation = await world.conversationOf('D1', thread) ?? '';
  const approvals = async (): Promise<unknown[]> => (JSON.parse(await readFile(join(world.repoStateDir, 'conversations', conversation, 'approvals.json'), 'utf8')) as { approvals: unknown[] }).approvals;
  t.strictSame(reached(), [], 'nothing reached pkgs.test');

  // A user the repo does not authorise (a guest) presses it: nothing is approved, nothing runs.
  await fake.pressButton(GUEST.id, shown, allowActionId(1));
  await world.line(/allow button press refused: the user is not authorised for this repo.*user=UGUEST/);
  t.strictSame(await approvals(), [], 'the guest\'s press approved nothing');
  t.equal(answers().length, 1, 'and started no run');

  // The authorised user presses it: run 2 reaches exactly that request.
  await fake.pressButton(ADA.id, shown, allowActionId(1));
  const run2 = await fake.waitForCall('chat.postMessage', (c) => inThread('D1', thread)(c) && /Fetched:/.test(text(c)) && c !== run1);
  t.match(text(run2), /Approved for this conversation[\s\S]*1\. `GET pkgs\.test\/simple\/x` until /, 'the reply says what was approved');
  t.match(text(run2), /GET https:\/\/pkgs\.test\/simple\/x=200/, 'run 2 reached the approved request');
  t.strictSame(reached(), ['GET /simple/x'], 'the upstream got exactly one GET /simple/x');
  t.match(await approvals(), [{ method: 'GET', host: 'pkgs.test', pathPrefix: '/simple/x', approvedBy: 'Ada <UADA>' }], 'stored for the conversation, by Ada');
  t.equal(await world.conversationOf('D1', thread), conversation, 'in the same conversation');
  const prompt = await readFile(join(world.fakeClaudeDir(conversation), 'runs', '2.stdin'), 'utf8');
  t.match(prompt, /now lets it through for this conversation .*: GET https:\/\/pkgs\.test\/simple\/x\./, 'run 2\'s prompt names the approved request');
  t.match(prompt, /\[Ada <UADA> [^\]]+\]\nallow 1\s*$/, 'as Ada\'s allow 1');

  const update = await fake.waitForCall('chat.update', (c) => c.args['ts'] === shown.ts);
  t.match(JSON.stringify(blocksOf(update)), /Ada approved 1\. `GET pkgs\.test\/simple\/x` for this conversation/, 'the reply now says who approved it');
  t.notMatch(JSON.stringify(blocksOf(update)), /airut_allow_1/, 'its button is gone');
  t.equal(answers().length, 2, 'two runs in all');
});
