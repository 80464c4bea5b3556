import type { RunEvent } from '../run/index.js';
import { plainLines } from './plain-lines.js';
import { reduceRunEvent } from './reduce-run-event.js';
import { watchExitCode, type SignalSource, type StartRun, type WatchOutcome } from './run-session.js';
import { initialRunViewState } from './run-view-state.js';

/** What {@link watchRunPlain} needs. */
export interface PlainWatchOptions {
  prompt: string;
  resumeSessionId: string | undefined;
  start: StartRun;
  /** Receives whole lines, each ending in a newline. */
  write: (text: string) => void;
  /** The first SIGINT or SIGTERM stops the run, the second kills it. Default `process`. */
  signals?: SignalSource;
  clock?: () => number;
}

/**
 * Runs one prompt and writes what happens as plain lines (for a pipe, a file,
 * CI). No follow-ups: there is no keyboard to read them from. Rejects with the
 * error that kept the run from producing a result.
 */
export async function watchRunPlain(options: PlainWatchOptions): Promise<WatchOutcome> {
  const clock = options.clock ?? Date.now;
  const signals = options.signals ?? process;
  let state = initialRunViewState(options.prompt, clock());
  options.write(`> ${options.prompt}\n`);
  const emit = (event: RunEvent): void => {
    // The core may emit `finished` and the awaited result is folded too: print it once.
    if (event.type === 'finished' && state.result === event.result) return;
    const next = reduceRunEvent(state, event, clock());
    const lines = plainLines(event, state, next);
    state = next;
    if (lines.length > 0) options.write(`${lines.join('\n')}\n`);
  };
  let interrupts = 0;
  const handle = options.start({ prompt: options.prompt, resumeSessionId: options.resumeSessionId }, emit);
  const onSignal = (): void => {
    interrupts++;
    if (interrupts === 1) {
      options.write('[stop] Stopping the task (interrupt again to kill it)\n');
      void handle.stop();
    } else {
      options.write('[stop] Killing the task\n');
      void handle.kill();
    }
  };
  signals.on('SIGINT', onSignal);
  signals.on('SIGTERM', onSignal);
  try {
    const result = await handle.result;
    emit({ type: 'finished', result });
    const sessionId = result.sessionId === '' ? (state.sessionId ?? options.resumeSessionId) : result.sessionId;
    return { result, sessionId, interrupted: interrupts > 0, exitCode: watchExitCode(result, interrupts > 0) };
  } finally {
    signals.off('SIGINT', onSignal);
    signals.off('SIGTERM', onSignal);
  }
}
