import { open } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { IncomingAttachment } from '../channels/index.js';

/**
 * A safe file name for `name`: no directories, no control characters, not
 * hidden-only dots. Channels already sanitise; this is the gateway's own guard
 * because the name becomes a host path.
 */
export function safeFileName(name: string): string {
  // eslint-disable-next-line no-control-regex
  const base = basename(name.replaceAll('\\', '/')).replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return base === '' || /^\.+$/.test(base) ? 'attachment' : base;
}

/**
 * Writes attachments into a conversation's `inbox/`, never overwriting: a
 * taken name gets `-1`, `-2`, ... before its extension. Returns the names used,
 * in order. Files in the inbox persist across the conversation's runs.
 */
export async function saveAttachments(inboxDir: string, attachments: readonly IncomingAttachment[]): Promise<string[]> {
  const saved: string[] = [];
  for (const attachment of attachments) {
    const name = safeFileName(attachment.filename);
    const ext = extname(name);
    const stem = name.slice(0, name.length - ext.length);
    for (let n = 0; ; n++) {
      const candidate = n === 0 ? name : `${stem}-${n}${ext}`;
      try {
        // 'wx' fails when the name is taken, so a collision is detected atomically.
        const handle = await open(join(inboxDir, candidate), 'wx', 0o644);
        try {
          await handle.writeFile(attachment.content);
        } finally {
          await handle.close();
        }
        saved.push(candidate);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
  }
  return saved;
}
