/**
 * Parses an image's `Created` timestamp as engines print it: podman uses Go's
 * `time.Time.String()` (`2026-01-02 15:04:05.123456789 +0000 UTC`, sometimes
 * with a trailing monotonic ` m=+0.1`), docker prints RFC 3339 with
 * nanoseconds. Returns undefined when the text is not a time.
 */
export function parseImageCreated(text: string): Date | undefined {
  const value = text.trim();
  const go = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d+)? ([+-]\d{2})(\d{2})(?: [A-Za-z0-9+-]+)?(?: m=[+-][\d.]+)?$/.exec(value);
  const iso = go
    ? `${go[1]}T${go[2]}${millis(go[3])}${go[4]}:${go[5]}`
    : value.replace(/(\.\d{3})\d+/, '$1');
  if (!/^\d{4}-\d{2}-\d{2}T/.test(iso)) return undefined;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function millis(fraction: string | undefined): string {
  return fraction ? fraction.slice(0, 4).padEnd(4, '0') : '';
}
