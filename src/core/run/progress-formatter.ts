import { createDownloadGate, type DownloadReport } from './download-gate.js';
import { formatProgress, type ProgressOptions } from './format-progress.js';
import type { RunEvent } from './run-event.js';

/** What {@link createProgressFormatter} needs beyond {@link ProgressOptions}. */
export interface ProgressFormatterOptions extends ProgressOptions {
  /** Milliseconds; injected by tests. Default: `Date.now`. */
  clock?: () => number;
}

/**
 * The progress text of one run's events, like {@link formatProgress}, with
 * the Claude Code download fitted to where the text goes: on a terminal a bar
 * redrawn in place at most 10 times a second; elsewhere (a CI log) one line
 * per tenth of the download with the size and the speed so far, so a long
 * download is never silent and never floods the log.
 */
export function createProgressFormatter(options: ProgressFormatterOptions = {}): (event: RunEvent) => string | undefined {
  const gate = createDownloadGate({ mode: options.tty ? 'redraw' : 'steps', ...(options.clock === undefined ? {} : { clock: options.clock }) });
  return (event) => {
    if (event.type !== 'download-progress') return formatProgress(event, options);
    const report = gate(event.bytes, event.total);
    if (report === undefined) return undefined;
    return options.tty ? `\r${downloadBar(report)}` : `${downloadLine(report)}\n`;
  };
}

const mb = (bytes: number): string => (bytes / 1_000_000).toFixed(1);

function speed(report: DownloadReport): string {
  return report.bytesPerSecond === undefined ? '' : `, ${mb(report.bytesPerSecond)} MB/s`;
}

/** `airut: downloading Claude Code [######        ] 36.6/183.0 MB, 9.2 MB/s`, padded to wipe a longer earlier draw. */
function downloadBar(report: DownloadReport): string {
  const { bytes, total } = report;
  if (total === undefined || total <= 0) return `airut: downloading Claude Code ${mb(bytes)} MB${speed(report)}`.padEnd(60);
  const width = 30;
  const done = Math.min(width, Math.round((bytes / total) * width));
  return `airut: downloading Claude Code [${'#'.repeat(done)}${' '.repeat(width - done)}] ${mb(bytes)}/${mb(total)} MB${speed(report)}`.padEnd(80);
}

/** `airut: downloading Claude Code: 20% (36.6 of 183.0 MB, 9.2 MB/s)`. */
function downloadLine(report: DownloadReport): string {
  const { bytes, total } = report;
  if (total === undefined || total <= 0) return `airut: downloading Claude Code: ${mb(bytes)} MB${speed(report)}`;
  const percent = Math.min(100, Math.floor((bytes / total) * 100));
  return `airut: downloading Claude Code: ${percent}% (${mb(bytes)} of ${mb(total)} MB${speed(report)})`;
}
