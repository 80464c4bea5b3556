import { stripVTControlCharacters } from 'node:util';
import type { render } from 'ink-testing-library';

type Rendered = ReturnType<typeof render>;

/** The last frame without colours. */
export function plainFrame(rendered: Rendered): string {
  return stripVTControlCharacters(rendered.lastFrame() ?? '');
}

/**
 * Resolves with the first frame (colours stripped) that matches `pattern`: the
 * current one, or the next one Ink writes that does. Rejects when Ink is done
 * writing (unmounted) without one.
 */
export function frameMatching(rendered: Rendered, pattern: RegExp): Promise<string> {
  const now = plainFrame(rendered);
  if (pattern.test(now)) return Promise.resolve(now);
  return new Promise((resolve) => {
    const stdout = rendered.stdout;
    const write = stdout.write;
    stdout.write = (frame: string) => {
      write(frame);
      const plain = stripVTControlCharacters(frame);
      if (pattern.test(plain)) {
        stdout.write = write;
        resolve(plain);
      }
    };
  });
}
