import { createHash } from 'node:crypto';
import type { ContextFiles } from './context-files.js';

/**
 * The content hash of a build input: sha256 over the Dockerfile and each
 * context file in name order. Every part is length-prefixed, so moving bytes
 * between a name and its content (or between files) always changes the hash;
 * the order of the map does not.
 */
export function imageContentHash(dockerfile: string | Uint8Array, files: ContextFiles): string {
  const hash = createHash('sha256');
  const add = (part: string | Uint8Array): void => {
    const bytes = typeof part === 'string' ? Buffer.from(part, 'utf8') : part;
    hash.update(`${bytes.byteLength}:`);
    hash.update(bytes);
  };
  add(dockerfile);
  for (const name of Object.keys(files).sort()) {
    add(name);
    add(files[name] ?? '');
  }
  return hash.digest('hex');
}
