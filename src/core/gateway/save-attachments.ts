import { open } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { safeFileName, type IncomingAttachment } from '../channels/index.js';

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
