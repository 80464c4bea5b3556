import { render } from 'ink';
import { RunApp } from './run-app.js';
import type { SignalSource, StartRun, WatchOutcome } from './run-session.js';

/** What {@link watchRunInTerminal} needs. */
export interface TerminalWatchOptions {
  prompt: string;
  resumeSessionId: string | undefined;
  start: StartRun;
  sandboxed: boolean;
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** Offer follow-ups after each answer. Default true (needs a TTY on stdin). */
  allowFollowUp?: boolean;
  /** SIGINT/SIGTERM that do not come through the keyboard (e.g. `kill`). Default `process`. */
  signals?: SignalSource;
  clock?: () => number;
}

/**
 * Runs a prompt with the Ink TUI on a terminal and resolves when the user is
 * done (after the last answer, a stop, or a failure). Rejects with the error
 * that kept a run from producing a result (e.g. an image build failure), after
 * the screen is restored.
 */
export async function watchRunInTerminal(options: TerminalWatchOptions): Promise<WatchOutcome> {
  const signals = options.signals ?? process;
  let outcome: WatchOutcome | undefined;
  let handler: (() => void) | undefined;
  const onSignal = (): void => handler?.();
  signals.on('SIGINT', onSignal);
  signals.on('SIGTERM', onSignal);
  try {
    const instance = render(
      <RunApp
        prompt={options.prompt}
        resumeSessionId={options.resumeSessionId}
        start={options.start}
        allowFollowUp={options.allowFollowUp ?? true}
        sandboxed={options.sandboxed}
        clock={options.clock}
        onExit={(value) => {
          outcome = value;
        }}
        onInterruptHandler={(value) => {
          handler = value;
        }}
      />,
      { stdin: options.stdin, stdout: options.stdout, stderr: options.stderr, exitOnCtrlC: false, patchConsole: false },
    );
    await instance.waitUntilExit();
  } finally {
    signals.off('SIGINT', onSignal);
    signals.off('SIGTERM', onSignal);
  }
  return outcome ?? { result: undefined, sessionId: options.resumeSessionId, interrupted: false, exitCode: 1 };
}
