import { createDownloadGate, downloadBar, downloadSpeed } from './download-progress.js';
import { formatProgress, type ProgressOptions } from './format-progress.js';
import type { RunEvent } from './run-event.js';

/** What {@link createProgressFormatter} needs beyond {@link ProgressOptions}. */
export interface ProgressFormatterOptions extends ProgressOptions {
  /** Milliseconds; injected by tests. Default: `Date.now`. */
  clock?: () => number;
}

/**
 * The progress text of one run's events, like {@link formatProgress}, with
 * the Claude Code download fitted to where the text goes: on a terminal the
 * bar redrawn in place at most 10 times a second; elsewhere (a CI log) the
 * bar once per tenth of the download with the speed so far, so a long
 * download is never silent and never floods the log.
 */
export function createProgressFormatter(options: ProgressFormatterOptions = {}): (event: RunEvent) => string | undefined {
  const gate = createDownloadGate({ mode: options.tty ? 'redraw' : 'steps', ...(options.clock === undefined ? {} : { clock: options.clock }) });
  return (event) => {
    if (event.type !== 'download-progress') return formatProgress(event, options);
    const report = gate(event.bytes, event.total);
    if (report === undefined) return undefined;
    const text = `${DOWNLOADING}${downloadBar(report.bytes, report.total)}${downloadSpeed(report.bytesPerSecond)}`;
    // Padded on a terminal to wipe a longer earlier draw.
    return options.tty ? `\r${text.padEnd(80)}` : `${text}\n`;
  };
}

const DOWNLOADING = 'airut: downloading Claude Code ';
