import type { LineCounter } from 'yaml';
import type { KeySegment } from './key-path.js';

/** A 1-based position in the config file. */
export interface SourcePosition {
  line: number;
  column: number;
}

/** Which part of an entry a problem points at. */
export type EntryPart = 'key' | 'value';

/**
 * Finds where a key path is in the file. Paths that are not in the file (a key
 * filled in from a default, a missing required key) point at the closest
 * ancestor that is.
 */
export interface SourceLocator {
  (segments: readonly KeySegment[], part: EntryPart): SourcePosition | undefined;
}

/** Offsets of each entry's key and value, recorded while the Document is read. */
export class SourceMap {
  private readonly entries = new Map<string, { key?: number; value?: number }>();

  constructor(private readonly lineCounter: LineCounter) {}

  /** Records the offsets of the entry at `segments`. */
  record(segments: readonly KeySegment[], offsets: { key?: number | undefined; value?: number | undefined }): void {
    const entry = this.entries.get(keyOf(segments)) ?? {};
    if (offsets.key !== undefined) entry.key = offsets.key;
    if (offsets.value !== undefined) entry.value = offsets.value;
    this.entries.set(keyOf(segments), entry);
  }

  /** A {@link SourceLocator} over the recorded entries. */
  readonly locate: SourceLocator = (segments, part) => {
    for (let depth = segments.length; depth >= 0; depth--) {
      const entry = this.entries.get(keyOf(segments.slice(0, depth)));
      if (entry === undefined) continue;
      // The exact entry: the requested part. An ancestor: its key, which names the block.
      const offset = depth === segments.length ? (part === 'key' ? entry.key ?? entry.value : entry.value ?? entry.key) : entry.key ?? entry.value;
      if (offset === undefined) continue;
      const { line, col } = this.lineCounter.linePos(offset);
      return { line, column: col };
    }
    return undefined;
  };
}

function keyOf(segments: readonly KeySegment[]): string {
  return JSON.stringify(segments);
}
