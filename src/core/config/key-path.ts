/** One step into the config: a mapping key or a list index. */
export type KeySegment = string | number;

const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;

/**
 * Writes a key path the way operators read it: `repos.x.slack.authorized[0]`,
 * with keys that hold dots or spaces quoted (`network.upstream_hosts["api.example.com"]`).
 */
export function formatKeyPath(segments: readonly KeySegment[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}
