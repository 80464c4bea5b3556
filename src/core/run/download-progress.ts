/**
 * The one rendering of Claude Code's download: which progress events are
 * worth a line, the bar, the sizes and the speed. `airut sandbox exec`'s
 * stderr, `airut run`'s plain lines and its terminal UI all draw it from here.
 */

/** A download-progress event worth showing, with the average speed so far. */
export interface DownloadReport {
  readonly bytes: number;
  readonly total: number | undefined;
  /** Bytes per second since the download's first event; undefined on that first event. */
  readonly bytesPerSecond: number | undefined;
}

/** How {@link createDownloadGate} thins out download-progress events. */
export interface DownloadGateOptions {
  /**
   * `redraw`: for a bar drawn in place on a terminal, at most one report per
   * `intervalMs`, plus the first and the last. `steps`: for logs (CI), the
   * events {@link isDownloadStep} picks.
   */
  mode: 'redraw' | 'steps';
  /** Milliseconds between redraws. Default: 100 (10 a second). */
  intervalMs?: number;
  /** Milliseconds; injected by tests. Default: `Date.now`. */
  clock?: () => number;
}

/** Bytes between log lines when the size is not known. */
const UNKNOWN_TOTAL_STEP = 10_000_000;

const BAR_WIDTH = 24;

const BYTE_UNITS = ['B', 'kB', 'MB', 'GB'] as const;

/** `512 B`, `12.3 MB` (powers of 1000, as npm and curl print them). */
export function formatBytes(bytes: number): string {
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${BYTE_UNITS[unit]}`;
}

/** `[██████░░░░] 12.3 MB / 200.0 MB 6%`, or the bytes alone when the total is unknown. */
export function downloadBar(bytes: number, total: number | undefined): string {
  if (total === undefined || total <= 0) return `${formatBytes(bytes)} downloaded`;
  const ratio = Math.min(1, Math.max(0, bytes / total));
  const filled = Math.round(ratio * BAR_WIDTH);
  return `[${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}] ${formatBytes(bytes)} / ${formatBytes(total)} ${Math.floor(ratio * 100)}%`;
}

/** `, 9.2 MB/s`; empty when the speed is not known yet. */
export function downloadSpeed(bytesPerSecond: number | undefined): string {
  return bytesPerSecond === undefined ? '' : `, ${formatBytes(bytesPerSecond)}/s`;
}

/**
 * True when a download at `bytes` deserves a log line, `previous` being the
 * bytes of the event before (undefined for the first): once per tenth of the
 * total (per 10 MB when the total is unknown), and once at the end. A
 * download that starts over (fewer bytes than before) is counted from zero.
 */
export function isDownloadStep(previous: number | undefined, bytes: number, total: number | undefined): boolean {
  const before = previous === undefined || bytes < previous ? 0 : previous;
  if (total !== undefined && total > 0 && bytes >= total) return before < total;
  const step = total !== undefined && total > 0 ? total / 10 : UNKNOWN_TOTAL_STEP;
  return Math.floor(bytes / step) > Math.floor(before / step);
}

/**
 * Returns a filter for one run's download-progress events: it answers a
 * {@link DownloadReport} for the events to show and undefined for the rest.
 * The registry sends the tarball in thousands of small chunks; drawing each
 * one costs more than the download is worth watching. A download that starts
 * over (a retry) starts the counting over.
 */
export function createDownloadGate(options: DownloadGateOptions): (bytes: number, total: number | undefined) => DownloadReport | undefined {
  const clock = options.clock ?? Date.now;
  const intervalMs = options.intervalMs ?? 100;
  let startedAt = 0;
  let lastBytes: number | undefined;
  let lastShownAt = 0;
  return (bytes, total) => {
    const now = clock();
    const previous = lastBytes;
    const first = previous === undefined || bytes < previous;
    if (first) {
      startedAt = now;
      lastShownAt = 0;
    }
    lastBytes = bytes;
    const elapsed = now - startedAt;
    const report: DownloadReport = { bytes, total, bytesPerSecond: elapsed > 0 ? (bytes * 1000) / elapsed : undefined };
    if (options.mode === 'steps') return isDownloadStep(previous, bytes, total) ? report : undefined;
    const done = total !== undefined && total > 0 && bytes >= total;
    const wasDone = !first && total !== undefined && total > 0 && (previous ?? 0) >= total;
    if (wasDone) return undefined;
    if (!first && !done && now - lastShownAt < intervalMs) return undefined;
    lastShownAt = now;
    return report;
  };
}
