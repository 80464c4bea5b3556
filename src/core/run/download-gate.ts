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
   * `intervalMs`, plus the first and the last. `steps`: for logs (CI), one
   * report per tenth of the total (per 10 MB when the total is unknown) and
   * the last.
   */
  mode: 'redraw' | 'steps';
  /** Milliseconds between redraws. Default: 100 (10 a second). */
  intervalMs?: number;
  /** Milliseconds; injected by tests. Default: `Date.now`. */
  clock?: () => number;
}

/** Bytes between log lines when the size is not known. */
const UNKNOWN_TOTAL_STEP = 10_000_000;

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
  let startedAt: number | undefined;
  let lastBytes = -1;
  let lastShownAt = 0;
  let lastStep = -1;
  let finished = false;
  return (bytes, total) => {
    const now = clock();
    if (startedAt === undefined || bytes < lastBytes) {
      startedAt = now;
      lastStep = -1;
      lastShownAt = 0;
      finished = false;
    }
    const first = lastBytes < 0 || bytes < lastBytes;
    lastBytes = bytes;
    const done = total !== undefined && total > 0 && bytes >= total;
    if (finished) return undefined;
    const elapsed = now - startedAt;
    const report: DownloadReport = { bytes, total, bytesPerSecond: elapsed > 0 ? (bytes * 1000) / elapsed : undefined };
    if (options.mode === 'redraw') {
      if (!first && !done && now - lastShownAt < intervalMs) return undefined;
      lastShownAt = now;
      finished = done;
      return report;
    }
    const step = total !== undefined && total > 0 ? Math.floor((bytes / total) * 10) : Math.floor(bytes / UNKNOWN_TOTAL_STEP);
    if (!done && (step <= lastStep || step === 0)) return undefined;
    lastStep = step;
    finished = done;
    return report;
  };
}
