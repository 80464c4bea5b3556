import { EventEmitter, once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import type { ChannelAdapter, ChannelState, IncomingMessage, MessageHandler, NewThread, OutgoingReply, PlanItem, TaskEnd, TaskProgress } from '../../../src/core/channels/index.js';
import type { CommandRequest, TaskRequest, TaskRunner } from '../../../src/core/gateway/index.js';
import { buildExecutionResult, parseStreamJsonLine, type CommandResult, type ExecutionResult } from '../../../src/sandbox/claude/stream/index.js';

/** A recorded reply. */
export interface SentReply {
  message: IncomingMessage;
  conversationId: string;
  reply: OutgoingReply;
  /** Names of the attached files, read at send time. */
  attached: string[];
}

/** What a {@link ProgressChannel} was shown, in order: plans, ends and replies. */
export type ProgressStep = { plan: readonly PlanItem[] } | { end: TaskEnd } | { reply: OutgoingReply['kind'] };

/** A channel at the gateway's own interface: records replies and completions. */
export class FakeChannel implements ChannelAdapter {
  readonly kind = 'email' as const;
  readonly replies: SentReply[] = [];
  readonly completed: string[] = [];
  /** New threads started (scheduled results), with the names of their files. */
  readonly threads: (NewThread & { attached: string[] })[] = [];
  readonly events = new EventEmitter();
  stopped = false;
  failReplies = false;
  private handler: MessageHandler | undefined;

  async start(onMessage: MessageHandler): Promise<void> {
    this.handler = onMessage;
  }

  async stop(): Promise<void> {
    this.stopped = true;
  }

  async reply(message: IncomingMessage, conversationId: string, reply: OutgoingReply): Promise<void> {
    if (this.failReplies) throw new Error('SMTP is down');
    this.replies.push({ message, conversationId, reply, attached: reply.attachments.map((a) => a.filename) });
    this.events.emit('change');
  }

  async startThread(thread: NewThread): Promise<void> {
    if (this.failReplies) throw new Error('SMTP is down');
    this.threads.push({ ...thread, attached: thread.reply.attachments.map((a) => a.filename) });
    this.events.emit('change');
  }

  async complete(message: IncomingMessage): Promise<void> {
    this.completed.push(message.messageId);
    this.events.emit('change');
  }

  state(): ChannelState {
    return { state: 'connected' };
  }

  /** Hands a message to the gateway the way the real channel does. */
  deliver(message: IncomingMessage): Promise<void> {
    if (this.handler === undefined) throw new Error('channel not started');
    return this.handler(message);
  }

  /** Resolves once `predicate` holds (checked after every reply or completion). */
  async waitFor(predicate: () => boolean): Promise<void> {
    while (!predicate()) await once(this.events, 'change');
  }

  results(): SentReply[] {
    return this.replies.filter((r) => r.reply.kind !== 'acknowledgement');
  }
}

/** A {@link FakeChannel} that shows progress, as Slack does: records every plan, end and reply in one list. */
export class ProgressChannel extends FakeChannel {
  readonly steps: ProgressStep[] = [];

  progress(_message: IncomingMessage, _conversationId: string): TaskProgress {
    return {
      plan: (items) => { this.steps.push({ plan: items }); },
      end: async (outcome) => { this.steps.push({ end: outcome }); },
    };
  }

  override async reply(message: IncomingMessage, conversationId: string, reply: OutgoingReply): Promise<void> {
    this.steps.push({ reply: reply.kind });
    await super.reply(message, conversationId, reply);
  }
}

let counter = 0;

/** An authorized email-like message. */
export function message(fields: Partial<IncomingMessage> = {}): IncomingMessage {
  counter++;
  return {
    channel: 'email',
    repoId: 'repo',
    messageId: `<m${counter}@example.com>`,
    conversationId: undefined,
    sender: 'Ada <ada@example.com>',
    subject: 'Fix the tests',
    text: `instruction ${counter}`,
    attachments: [],
    receivedAt: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
    modelHint: undefined,
    ...fields,
  };
}

/** Stream-json lines of a successful run answering `text` in `session`. */
export function success(text: string, session = 'sess-1', costUsd = 0.0123): ExecutionResult {
  return result(0, [
    { type: 'system', subtype: 'init', session_id: session },
    { type: 'assistant', message: { content: [{ type: 'text', text }] }, session_id: session },
    { type: 'result', subtype: 'success', is_error: false, result: text, session_id: session, duration_ms: 5, num_turns: 1, total_cost_usd: costUsd },
  ]);
}

/** A finished run from raw events. */
export function result(exitCode: number | undefined, events: object[], extra: { timedOut?: boolean; stopped?: boolean; stderr?: string } = {}): ExecutionResult {
  return buildExecutionResult({
    exitCode,
    timedOut: extra.timedOut ?? false,
    stopped: extra.stopped ?? false,
    events: events.flatMap((e) => parseStreamJsonLine(JSON.stringify(e)) ?? []),
    stderr: extra.stderr ?? '',
    wallClockMs: 10,
  });
}

interface Call {
  request: TaskRequest;
  finish: (result: ExecutionResult) => void;
}

/**
 * A task runner at the gateway's interface: each run waits until the test
 * finishes it (or answers at once through `auto`), and concurrency is counted.
 */
export class FakeRunner implements TaskRunner {
  readonly calls: Call[] = [];
  readonly events = new EventEmitter();
  active = 0;
  maxActive = 0;
  /** When set, runs finish at once with what it returns. */
  auto: ((request: TaskRequest, index: number) => ExecutionResult | Promise<ExecutionResult>) | undefined;
  /** When set, runs throw it (an infrastructure failure). */
  failWith: Error | undefined;
  /** How often close() was called (once per stopped repo that used this runner). */
  closes = 0;
  /** Commands run (schedule triggers), and how they end. */
  readonly commands: CommandRequest[] = [];
  command: (request: CommandRequest) => Partial<CommandResult> = () => ({});

  async runCommand(request: CommandRequest): Promise<CommandResult> {
    this.commands.push(request);
    return { exitCode: 0, stdout: '', stderr: '', durationMs: 1, timedOut: false, stopped: false, ...this.command(request) };
  }

  async close(): Promise<void> {
    this.closes++;
  }

  async run(request: TaskRequest): Promise<ExecutionResult> {
    if (this.failWith) throw this.failWith;
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      const index = this.calls.length;
      const done = new Promise<ExecutionResult>((resolve) => {
        this.calls.push({ request, finish: resolve });
        request.signal.addEventListener('abort', () => resolve(result(undefined, [], { stopped: true })));
      });
      this.events.emit('call');
      if (this.auto) return await this.auto(request, index);
      return await done;
    } finally {
      this.active--;
    }
  }

  /** Resolves once at least `n` runs have started. */
  async started(n: number): Promise<void> {
    while (this.calls.length < n) await once(this.events, 'call');
  }

  call(index: number): Call {
    const call = this.calls[index];
    if (call === undefined) throw new Error(`no run #${index}`);
    return call;
  }
}

const gitEnv = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@x' };

/** A local upstream repo with a README and the sandbox files; returns its path (the repo_url). */
export async function upstreamRepo(root: string, files: Record<string, string> = {}): Promise<string> {
  const dir = join(root, 'upstream');
  await mkdir(dir, { recursive: true });
  await execa('git', ['init', '--quiet', '--initial-branch=main', dir]);
  const all = { 'README.md': 'hello\n', '.airut/container/Dockerfile': 'FROM localhost/airut-test-base:bookworm\n', ...files };
  for (const [path, content] of Object.entries(all)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  await execa('git', ['add', '-A'], { cwd: dir });
  await execa('git', ['commit', '--quiet', '-m', 'initial'], { cwd: dir, env: gitEnv });
  return dir;
}
