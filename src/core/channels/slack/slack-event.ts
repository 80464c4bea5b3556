/**
 * The fields of a Slack `message` / `app_mention` event this channel reads,
 * checked rather than cast, because events come from the network.
 */
export interface SlackMessageEvent {
  type: string;
  subtype: string | undefined;
  channel: string;
  channelType: string | undefined;
  user: string | undefined;
  botId: string | undefined;
  text: string;
  ts: string;
  threadTs: string | undefined;
  fileNames: string[];
}

/** Reads a message-like event; undefined when it lacks a channel or ts. */
export function readMessageEvent(raw: unknown): SlackMessageEvent | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const e = raw as Record<string, unknown>;
  const str = (key: string): string | undefined => (typeof e[key] === 'string' ? e[key] : undefined);
  const channel = str('channel');
  const ts = str('ts');
  if (channel === undefined || ts === undefined) return undefined;
  const files = Array.isArray(e['files']) ? (e['files'] as unknown[]) : [];
  return {
    type: str('type') ?? '',
    subtype: str('subtype'),
    channel,
    channelType: str('channel_type'),
    user: str('user'),
    botId: str('bot_id'),
    text: str('text') ?? '',
    ts,
    threadTs: str('thread_ts'),
    fileNames: files.map((f) => (typeof f === 'object' && f !== null && typeof (f as Record<string, unknown>)['name'] === 'string' ? String((f as Record<string, unknown>)['name']) : 'unnamed')),
  };
}

/** Our message id of a Slack message: enough to answer it even after a restart. */
export function slackMessageId(channel: string, threadTs: string, ts: string): string {
  return `slack:${channel}:${threadTs}:${ts}`;
}

/** The parts of a {@link slackMessageId}; undefined for ids of other channels. */
export function parseSlackMessageId(id: string): { channel: string; threadTs: string; ts: string } | undefined {
  const match = /^slack:([^:]+):([^:]+):([^:]+)$/.exec(id);
  if (match?.[1] === undefined || match[2] === undefined || match[3] === undefined) return undefined;
  return { channel: match[1], threadTs: match[2], ts: match[3] };
}

/** First line of a message, at most 60 characters: the thread title and task title. */
export function displayTitle(text: string): string {
  const first = text.trim().split('\n')[0]?.trim() ?? '';
  if (first === '') return '(no message)';
  return first.length > 60 ? `${first.slice(0, 59)}…` : first;
}
