/** Slack refuses `chat.postMessage` text longer than this. */
export const SLACK_TEXT_LIMIT = 40_000;

/** More chunks than this and the answer goes up as one `response.md` file instead. */
export const MAX_REPLY_POSTS = 5;

/**
 * Cuts `text` into pieces of at most `limit` characters, preferring
 * paragraph breaks, then line breaks, then a hard cut.
 */
export function splitReply(text: string, limit = SLACK_TEXT_LIMIT): string[] {
  const chunks: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    // A break starting right at the limit still leaves a full chunk before it.
    let cut = rest.slice(0, limit + 2).lastIndexOf('\n\n');
    let skip = 2;
    if (cut <= 0) {
      cut = rest.slice(0, limit + 1).lastIndexOf('\n');
      skip = 1;
    }
    if (cut <= 0) {
      cut = limit;
      skip = 0;
    }
    chunks.push(rest.slice(0, cut));
    rest = rest.slice(cut + skip);
  }
  if (rest.length > 0 || chunks.length === 0) chunks.push(rest);
  return chunks;
}
