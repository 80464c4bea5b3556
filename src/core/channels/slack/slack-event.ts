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
  files: SlackFile[];
  /** Set when the event describes an edit (an `edited` marker or a `message_changed` subtype). */
  edited: boolean;
  /** Every workspace id the event names for its sender (`team`, `user_team`, `source_team`), in that order. */
  teams: string[];
}

/** A file attached to a Slack message, as the event describes it (the content is fetched separately). */
export interface SlackFile {
  /** Slack's file id (`F...`), for files.info when the event carries no URL. */
  id: string | undefined;
  /** The name the user gave it; `unnamed` when Slack sent none. */
  name: string;
  /** Where the bot token can fetch it: `url_private_download`, else `url_private`. */
  url: string | undefined;
  /** Size in bytes as Slack reports it. */
  size: number | undefined;
  mimetype: string | undefined;
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
    files: files.map(readSlackFile),
    edited: e['edited'] !== undefined || str('subtype') === 'message_changed',
    teams: ['team', 'user_team', 'source_team'].flatMap((key) => (e[key] === undefined ? [] : [typeof e[key] === 'string' ? e[key] : JSON.stringify(e[key])])),
  };
}

/** Reads one entry of an event's `files`. */
export function readSlackFile(raw: unknown): SlackFile {
  const f = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const str = (key: string): string | undefined => (typeof f[key] === 'string' && f[key] !== '' ? f[key] : undefined);
  return {
    id: str('id'),
    name: str('name') ?? str('title') ?? 'unnamed',
    url: str('url_private_download') ?? str('url_private'),
    size: typeof f['size'] === 'number' ? f['size'] : undefined,
    mimetype: str('mimetype'),
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
