import { ImageBuildError } from './error.js';

/** Files placed beside the Dockerfile in the build context: flat names to contents. */
export type ContextFiles = Readonly<Record<string, string | Uint8Array>>;

/**
 * Checks that every context file name is a plain file name. The build context
 * holds only these files, so a Dockerfile `COPY` can never reach host files;
 * a name with a path separator or `..` would break that promise.
 */
export function assertFlatContextNames(files: ContextFiles): void {
  for (const name of Object.keys(files)) {
    const reason = invalidNameReason(name);
    if (reason !== undefined) {
      throw new ImageBuildError('IMAGE_CONTEXT_NAME_INVALID', `context file name ${JSON.stringify(name)} ${reason}`, {
        hint: 'Context files are the flat files beside the Dockerfile: use plain names such as "requirements.txt", without "/", "\\\\" or "..".',
      });
    }
  }
}

function invalidNameReason(name: string): string | undefined {
  if (name === '') return 'is empty';
  if (name === '.' || name === '..') return 'is a directory reference';
  if (/[/\\]/.test(name)) return 'contains a path separator';
  if (name.includes('\0')) return 'contains a NUL byte';
  if (name === 'Dockerfile') return 'would replace the Dockerfile itself';
  return undefined;
}
