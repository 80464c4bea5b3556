import { basename } from 'node:path';

/**
 * A safe file name for `name`: no directories, no control characters, not
 * hidden-only dots. Every channel that receives attachments uses it, and the
 * gateway applies it again before writing, because the name becomes a host path.
 */
export function safeFileName(name: string): string {
  // eslint-disable-next-line no-control-regex
  const base = basename(name.replaceAll('\\', '/')).replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return base === '' || /^\.+$/.test(base) ? 'attachment' : base;
}
