import { readFileSync } from 'node:fs';

/**
 * A test hook: a clock that reads the time from a file holding an ISO 8601
 * instant, so a test can move a real `airut serve` across fire times
 * without waiting for them. While the file is absent or unreadable, the
 * system clock is used.
 */
export function fileClock(path: string): () => Date {
  return () => {
    let text: string;
    try {
      text = readFileSync(path, 'utf8').trim();
    } catch {
      // No file (yet): the test has not set a time.
      return new Date();
    }
    const time = new Date(text);
    return Number.isNaN(time.getTime()) ? new Date() : time;
  };
}
