import { downloadBar } from './download-progress.js';
import type { RunEvent } from './run-event.js';

/** What {@link formatProgress} shows. */
export interface ProgressOptions {
  /** Show network log lines (`--network-log-live`). */
  networkLive?: boolean;
  /** Stderr is a terminal: draw the download bar in place with `\r`. */
  tty?: boolean;
}

/** Marks a line Claude Code wrote to stderr, in progress output and in plain run lines. */
export const CLAUDE_STDERR_PREFIX = '[claude] ';

const PHASE_NAMES = { image: 'image', 'claude-binary': 'Claude Code', proxy: 'network sandbox', task: 'task' } as const;

/**
 * One run event as plain progress text for stderr (no cursor tricks beyond
 * `\r` on a terminal), or undefined for events that are not progress (Claude's
 * stream-json, command output). Claude's own stderr lines are passed on with
 * {@link CLAUDE_STDERR_PREFIX}. The text ends with a newline unless it is an
 * in-place bar.
 */
export function formatProgress(event: RunEvent, options: ProgressOptions = {}): string | undefined {
  switch (event.type) {
    case 'phase': {
      const name = PHASE_NAMES[event.phase];
      if (event.phase === 'task') return event.state === 'started' ? `airut: running (context ${event.detail ?? '?'})\n` : undefined;
      if (event.state === 'started') return `airut: preparing ${name}${event.detail ? ` (${event.detail})` : ''}\n`;
      if (event.state === 'skipped') return undefined;
      return `${options.tty && event.phase === 'claude-binary' ? '\n' : ''}airut: ${name} ready${event.detail ? ` (${event.detail})` : ''}\n`;
    }
    case 'build-output':
      return `airut: build: ${event.line}\n`;
    case 'download-progress':
      return options.tty ? `\rairut: downloading Claude Code ${downloadBar(event.bytes, event.total)}` : undefined;
    case 'stderr':
      // What Claude Code writes to stderr explains most failures; shown as it comes, marked as Claude's.
      return event.line.trim() === '' ? undefined : `${CLAUDE_STDERR_PREFIX}${event.line.trimEnd()}\n`;
    case 'network':
      return options.networkLive ? `[net] ${event.event.line}\n` : undefined;
    case 'warning':
      return `airut: warning: ${event.message}\n`;
    default:
      return undefined;
  }
}
