/**
 * Mentions both ways: Slack's `<@U123>` markup into readable names for
 * Claude, and `@name` in Claude's answer back into real Slack mentions.
 */
import { splitCode } from './code-segments.js';

/** User ids mentioned in a Slack message (`<@U123>` and `<@U123|label>`). */
export function mentionedUserIds(text: string): string[] {
  return [...new Set([...text.matchAll(/<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g)].map((m) => m[1] ?? ''))];
}

/** Removes the bot's own mention (and the space around it) from an instruction. */
export function stripBotMention(text: string, botUserId: string): string {
  return text.replace(new RegExp(`\\s*<@${botUserId}(?:\\|[^>]*)?>\\s*`, 'g'), ' ').trim();
}

/** Slack message markup as plain text: names for mentions, `text (url)` for links, entities decoded. */
export function resolveInbound(text: string, nameOf: (userId: string) => string | undefined): string {
  return text
    .replace(/<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g, (_m, id: string) => `@${nameOf(id) ?? id}`)
    .replace(/<#(C[A-Z0-9]+)(?:\|([^>]*))?>/g, (_m, id: string, name: string | undefined) => `#${name === undefined || name === '' ? id : name}`)
    .replace(/<!subteam\^[A-Z0-9]+(?:\|@?([^>]*))?>/g, (_m, handle: string | undefined) => `@${handle ?? 'group'}`)
    .replace(/<!(channel|here|everyone)(?:\|[^>]*)?>/g, '@$1')
    .replace(/<((?:https?|mailto):[^|>]+)\|([^>]+)>/g, '$2 ($1)')
    .replace(/<((?:https?|mailto):[^>]+)>/g, '$1')
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

const BROADCASTS = new Set(['channel', 'here', 'everyone']);

/** How `@name` in an answer maps to a Slack user or group; undefined leaves it literal. */
export interface MentionDirectory {
  user(name: string): string | undefined;
  group?(handle: string): { id: string; handle: string } | undefined;
}

/**
 * Rewrites `@name` outside code into `<@U123>` when the directory knows
 * exactly that person; broadcasts are never turned into pings.
 */
export function rewriteOutbound(mrkdwn: string, directory: MentionDirectory): string {
  return splitCode(mrkdwn).map((segment) => segment.code ? segment.text : segment.text.replace(
    /(?<![\w./@#-])@([A-Za-z0-9._-]*[A-Za-z0-9_])/g,
    (whole, name: string) => {
      if (BROADCASTS.has(name.toLowerCase())) return whole;
      const user = directory.user(name);
      if (user !== undefined) return `<@${user}>`;
      const group = directory.group?.(name);
      return group === undefined ? whole : `<!subteam^${group.id}|@${group.handle}>`;
    },
  )).join('');
}
