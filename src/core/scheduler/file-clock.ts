import { readFileSync } from 'node:fs';

/**
 * A test hook: a clock that reads the time from a file holding an ISO 8601
 * instant, so a test can move a real `airut serve` across fire times
 * without waiting for them. Until the file first holds a time, the system
 * clock is used; after that, a read that finds no time (the file caught
 * mid-write, empty, or gone) keeps the last time read, so the clock never
 * jumps to today's date and back between two of the test's times.
 */
export function fileClock(path: string): () => Date {
  let last: Date | undefined;
  return () => {
    let text = '';
    try {
      text = readFileSync(path, 'utf8').trim();
    } catch {
      // No file (yet), or it is being replaced.
    }
    const time = new Date(text);
    if (text !== '' && !Number.isNaN(time.getTime())) last = time;
    return last === undefined ? new Date() : new Date(last);
  };
}
