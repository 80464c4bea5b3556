import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { ConversationStore, GitMirror } from '../../../src/core/conversation/index.js';
import { ConcurrencyLimit, MessageLedger, RepoHandler, TaskTracker } from '../../../src/core/gateway/index.js';
import { holdPlaces, holdPromptsOf, type SlackHoldPromptsPort } from '../../../src/core/gateway/hold-places.js';
import { HoldRouter, type HoldQuestion, type HoldSettlement } from '../../../src/core/gateway/hold-router.js';
import { Logger, type LogRecord } from '../../../src/core/log/index.js';
import type { RunEvent } from '../../../src/core/pipeline/index.js';
import { FakeChannel, FakeRunner, message, success, upstreamRepo } from './fakes.js';
import { repoTemplate } from '../../harness/repo-template.js';

// The repo handler's hold hook: a task's `hold` run event is asked in the
// Slack thread of the message it answers, a press goes to the task's proxy
// (the runner's decide) once, and a task no place can ask about is denied at once.

const upstream = repoTemplate(t, upstreamRepo);

/** A fake channel of kind `slack`, with `holds` when given. */
function slackChannel(holds?: SlackHoldPromptsPort): FakeChannel {
  const channel = new FakeChannel();
  Object.assign(channel as object, { kind: 'slack' }, holds === undefined ? {} : { holds });
  return channel;
}

class FakePrompts implements SlackHoldPromptsPort {
  readonly asked: { where: { channel: string; threadTs: string }; question: HoldQuestion; answer: (allow: boolean, who: string) => void }[] = [];
  readonly settled: { holdId: string; settlement: HoldSettlement }[] = [];
  async ask(where: { channel: string; threadTs: string }, question: HoldQuestion, answer: (allow: boolean, who: string) => void): Promise<void> {
    this.asked.push({ where, question, answer });
    await Promise.resolve();
  }
  async settle(question: HoldQuestion, settlement: HoldSettlement): Promise<void> {
    this.settled.push({ holdId: question.holdId, settlement });
    await Promise.resolve();
  }
}

const hold = (id: string): RunEvent => ({ type: 'hold', contextId: 'ctx-1', event: { event: 'hold', id, method: 'GET', host: 'pkgs.test', path: '/simple/x', expires_in_ms: 30_000 } });
const holdEnd = (id: string, outcome: 'allowed' | 'denied' | 'expired'): RunEvent => ({ type: 'hold', contextId: 'ctx-1', event: { event: 'hold_end', id, outcome } });

async function setup(t: Test, dashboard = false) {
  const root = await mkdtemp(join(tmpdir(), 'airut-hold-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const repoUrl = await upstream.copyTo(join(root, 'upstream'));
  const stateDir = join(root, 'state', 'repo');
  const runner = new FakeRunner();
  const decisions: string[] = [];
  const logs: LogRecord[] = [];
  const log = new Logger((r) => logs.push(r));
  const prompts = new FakePrompts();
  const email = new FakeChannel();
  const slack = slackChannel();
  const router = new HoldRouter({ decide: (contextId, holdId, allow) => { decisions.push(`${contextId} ${holdId} ${allow}`); return true; }, log });
  const tracker = new TaskTracker({});
  const handler = new RepoHandler({
    repoId: 'repo',
    settings: { model: 'opus', showCost: true, acknowledge: {} },
    store: new ConversationStore(stateDir),
    mirror: new GitMirror({ repoUrl, repoStateDir: stateDir }),
    runner,
    ledger: await MessageLedger.open(join(stateDir, 'messages.jsonl')),
    channels: [email, slack],
    limit: new ConcurrencyLimit(2),
    tracker,
    logger: log,
    holds: holdPlaces(router, prompts, log, () => dashboard),
  });
  await handler.start();
  t.teardown(() => handler.stop(0));
  return { handler, runner, router, tracker, prompts, decisions, logs, email, slack };
}

void t.test('a Slack task\'s hold is asked in its thread; the first press reaches the proxy, a second changes nothing', async (t) => {
  const s = await setup(t);
  let pressed: () => void = () => undefined;
  const answered = new Promise<void>((resolve) => { pressed = resolve; });
  s.runner.auto = async (request) => {
    request.onEvent(hold('h1'));
    await answered;
    request.onEvent(holdEnd('h1', 'allowed'));
    return success('done');
  };
  await s.slack.deliver(message({ channel: 'slack', messageId: 'slack:C1:1800000000.000100:1800000000.000100' }));
  while (s.prompts.asked.length === 0) await new Promise((r) => setTimeout(r, 10));
  const [asked] = s.prompts.asked;
  t.same(asked?.where, { channel: 'C1', threadTs: '1800000000.000100' }, 'asked in the task\'s thread');
  t.match(asked?.question, { holdId: 'h1', method: 'GET', host: 'pkgs.test', path: '/simple/x' });
  asked?.answer(true, 'Ada');
  asked?.answer(false, 'Bob');
  pressed();
  t.same(s.decisions, ['ctx-1 h1 true'], 'one answer, the first, reached the proxy');
  while (s.prompts.settled.length === 0) await new Promise((r) => setTimeout(r, 10));
  t.same(s.prompts.settled, [{ holdId: 'h1', settlement: { outcome: 'allowed', by: 'Ada' } }]);
});

void t.test('an email task\'s hold has no place to ask: denied at once', async (t) => {
  const s = await setup(t);
  s.runner.auto = (request) => {
    request.onEvent(hold('h1'));
    return success('done');
  };
  await s.email.deliver(message());
  while (s.decisions.length === 0) await new Promise((r) => setTimeout(r, 10));
  t.same(s.decisions, ['ctx-1 h1 false']);
  t.same(s.prompts.asked, [], 'nothing asked in Slack');
});

void t.test('holdPromptsOf finds a Slack channel\'s prompts only', (t) => {
  const prompts = new FakePrompts();
  t.equal(holdPromptsOf(slackChannel(prompts)), prompts);
  t.equal(holdPromptsOf(Object.assign(new FakeChannel(), { holds: prompts })), undefined, 'an email channel has none');
  t.equal(holdPromptsOf(slackChannel()), undefined);
  t.end();
});

void t.test('with the dashboard off, a scheduled run\'s hold has no one to ask: denied at once', async (t) => {
  const s = await setup(t);
  s.runner.auto = (request) => {
    request.onEvent(hold('h1'));
    return success('done');
  };
  await s.handler.runScheduled({ name: 'nightly', fireKey: 'nightly@1', channel: 'slack', to: 'C1', subject: 'Nightly', prompt: () => Promise.resolve('check the deps') });
  t.same(s.decisions, ['ctx-1 h1 false']);
  t.same(s.prompts.asked, [], 'nothing asked in Slack');
});

void t.test('with the dashboard on, a scheduled run\'s hold waits there and the dashboard\'s answer reaches the proxy', async (t) => {
  const s = await setup(t, true);
  let ended: () => void = () => undefined;
  const answered = new Promise<void>((resolve) => { ended = resolve; });
  s.runner.auto = async (request) => {
    request.onEvent(hold('h1'));
    await answered;
    request.onEvent(holdEnd('h1', 'allowed'));
    return success('done');
  };
  const run = s.handler.runScheduled({ name: 'nightly', fireKey: 'nightly@1', channel: 'slack', to: 'C1', subject: 'Nightly', prompt: () => Promise.resolve('check the deps') });
  const taskId = (): string => s.tracker.list()[0]?.taskId ?? '';
  while (s.router.waiting(taskId()).length === 0) await new Promise((r) => setTimeout(r, 10));
  t.same(s.decisions, [], 'not denied at once');
  t.match(s.router.waiting(taskId()), [{ holdId: 'h1', host: 'pkgs.test' }], 'the hold waits for an answer');
  t.equal(s.router.answer(taskId(), 'h1', true, 'dashboard'), 'decided');
  ended();
  await run;
  t.same(s.decisions, ['ctx-1 h1 true'], 'the dashboard\'s allow reached the proxy');
  t.same(s.prompts.asked, [], 'nothing asked in Slack: a scheduled run has no thread to ask in');
});
