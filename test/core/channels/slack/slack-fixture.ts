import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import type { IncomingMessage } from '../../../../src/core/channels/index.js';
import { SlackChannel, type PlanTimers, type RejectedSlackMessage } from '../../../../src/core/channels/slack/index.js';
import type { SlackChannelConfig } from '../../../../src/core/config/index.js';
import { Logger, type LogRecord } from '../../../../src/core/log/index.js';
import { FakeSlack, type FakeSlackOptions } from '../../../harness/fake-slack/index.js';

/** Users every scenario knows. */
export const ADA = { id: 'UADA', name: 'ada', profile: { display_name: 'Ada', real_name: 'Ada Lovelace' } };
export const GUEST = { id: 'UGUEST', name: 'gus', is_restricted: true, profile: { display_name: 'Gus' } };
export const ROBOT = { id: 'UROBOT', name: 'robot', is_bot: true };

/** A temp dir removed at the end of the test. */
export async function tempDir(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'airut-slack-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A fake Slack, closed at the end of the test. */
export async function fakeSlack(t: Test, options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const fake = await FakeSlack.start({ users: [ADA, GUEST, ROBOT], ...options });
  t.teardown(() => fake.close());
  return fake;
}

/** A local server that is not Slack (127.0.0.1, another port), counting the requests it gets. */
export async function otherServer(t: Test): Promise<{ url: string; requests: () => number }> {
  let requests = 0;
  const server = createServer((_req, res) => {
    requests++;
    res.end('not for the bot token');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => requests };
}

/** The config of a repo's Slack channel pointed at `fake`, with the schema's defaults. */
export function channelConfig(fake: FakeSlack): SlackChannelConfig {
  return {
    bot_token: fake.botToken,
    app_token: fake.appToken,
    authorized: [{ workspace_members: true }],
    allowed_channels: [],
    api_url: fake.apiUrl,
    max_attachment_bytes: 26214400,
  };
}

/** A started channel whose accepted messages are queued for the test. */
export interface ChannelProbe {
  channel: SlackChannel;
  messages: IncomingMessage[];
  rejected: RejectedSlackMessage[];
  logs: LogRecord[];
  nextMessage(): Promise<IncomingMessage>;
  /** Resolves with the first log record (past or future) that satisfies `match`. */
  logged(match: (record: LogRecord) => boolean): Promise<LogRecord>;
}

/** Starts a SlackChannel against `fake`; stopped at the end of the test. */
export async function startChannel(t: Test, fake: FakeSlack, options: { stateDir?: string; config?: Partial<SlackChannelConfig>; planTimers?: PlanTimers } = {}): Promise<ChannelProbe> {
  const logs: LogRecord[] = [];
  const logWaiters: { match: (record: LogRecord) => boolean; resolve: (record: LogRecord) => void }[] = [];
  const messages: IncomingMessage[] = [];
  const rejected: RejectedSlackMessage[] = [];
  const waiting: ((m: IncomingMessage) => void)[] = [];
  const channel = new SlackChannel({
    repoId: 'demo',
    config: { ...channelConfig(fake), ...options.config },
    stateDir: options.stateDir ?? await tempDir(t),
    logger: new Logger((record) => {
      logs.push(record);
      for (const waiter of logWaiters.filter((w) => w.match(record))) {
        logWaiters.splice(logWaiters.indexOf(waiter), 1);
        waiter.resolve(record);
      }
    }),
    onRejected: (r) => rejected.push(r),
    clientPingTimeoutMs: 1000,
    retryConfig: { retries: 2, minTimeout: 10, maxTimeout: 50 },
    ...(options.planTimers === undefined ? {} : { planTimers: options.planTimers }),
  });
  await channel.start(async (message) => {
    messages.push(message);
    waiting.shift()?.(message);
    await Promise.resolve();
  });
  t.teardown(() => channel.stop());
  return {
    channel,
    messages,
    rejected,
    logs,
    nextMessage: () => new Promise((resolve) => waiting.push(resolve)),
    logged: (match) => {
      const found = logs.find(match);
      return found !== undefined ? Promise.resolve(found) : new Promise((resolve) => logWaiters.push({ match, resolve }));
    },
  };
}

/** A user message in a DM assistant thread. */
export function dmEvent(text: string, ts: string, threadTs = '1700000000.000100', user = ADA.id): Record<string, unknown> {
  return { type: 'message', channel: 'D1', channel_type: 'im', user, text, ts, thread_ts: threadTs };
}

/** An @-mention of the bot in a channel. */
export function mentionEvent(fake: FakeSlack, text: string, ts: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'app_mention', channel: 'C1', user: ADA.id, text: `<@${fake.botUserId}> ${text}`, ts, ...extra };
}

/** A plain channel message (no mention). */
export function channelMessage(text: string, ts: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'message', channel: 'C1', channel_type: 'channel', user: ADA.id, text, ts, ...extra };
}
