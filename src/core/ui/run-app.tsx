import { useApp, useInput, useStdin, useStdout } from 'ink';
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import type { ExecutionResult } from '../../sandbox/index.js';
import { createDownloadGate, type RunEvent } from '../run/index.js';
import { reduceRunEvent, startFollowUp } from './reduce-run-event.js';
import { watchExitCode, type RunHandle, type StartRun, type WatchOutcome } from './run-session.js';
import { initialRunViewState, type RunViewState } from './run-view-state.js';
import { RunScreen, type ScreenMode } from './views/run-screen.js';

/** Props of {@link RunApp}. */
export interface RunAppProps {
  prompt: string;
  /** Continue this session instead of starting a new one. */
  resumeSessionId: string | undefined;
  start: StartRun;
  /** Offer a follow-up line after each answer (needs keyboard input). */
  allowFollowUp: boolean;
  sandboxed: boolean;
  /** Called once, just before the app exits. */
  onExit: (outcome: WatchOutcome) => void;
  /** Called with the app's interrupt handler, so signals that bypass the keyboard (SIGINT, SIGTERM) reach it. */
  onInterruptHandler?: (handler: () => void) => void;
  clock?: () => number;
  /** How often running times and spinners refresh. */
  tickMs?: number;
}

type Action = { type: 'event'; event: RunEvent; at: number } | { type: 'follow-up'; prompt: string };

function reduce(state: RunViewState, action: Action): RunViewState {
  if (action.type === 'follow-up') return startFollowUp(state, action.prompt);
  // The core may emit `finished` itself and the app also folds in the awaited result: fold it once.
  if (action.event.type === 'finished' && state.result === action.event.result) return state;
  return reduceRunEvent(state, action.event, action.at);
}

/** Screen lines the transcript leaves to the phases, the network panel and the footer. */
const RESERVED_ROWS = 22;

/**
 * The live-run app: starts the run, folds its events into the view state,
 * handles keys (q and Ctrl-C stop, a second Ctrl-C kills, v and n toggle), and
 * after an answer reads follow-ups that continue the same session.
 */
export function RunApp({ prompt, resumeSessionId, start, allowFollowUp, sandboxed, onExit, onInterruptHandler, clock = Date.now, tickMs = 200 }: RunAppProps) {
  const app = useApp();
  const { isRawModeSupported } = useStdin();
  const { stdout } = useStdout();
  const [state, dispatch] = useReducer(reduce, undefined, () => initialRunViewState(prompt, clock()));
  const followUps = allowFollowUp && isRawModeSupported;
  // Without a prompt the app opens on the input line (when there is a keyboard to type on).
  const askFirst = prompt.trim() === '' && followUps;
  const [mode, setModeState] = useState<ScreenMode>(askFirst ? 'input' : 'running');
  // Keys can arrive between a render and the effect that hands Ink the new input handler:
  // the handler reads mode and input from refs, which change with the state, never late.
  const modeRef = useRef(mode);
  const setMode = useCallback((next: ScreenMode) => {
    modeRef.current = next;
    setModeState(next);
  }, []);
  const [now, setNow] = useState(() => clock());
  const [input, setInputState] = useState('');
  const inputRef = useRef('');
  const setInput = useCallback((next: string) => {
    inputRef.current = next;
    setInputState(next);
  }, []);
  const [showResults, setShowResults] = useState(false);
  const [showNetwork, setShowNetwork] = useState(true);
  const handle = useRef<RunHandle | undefined>(undefined);
  const interrupts = useRef(0);
  const session = useRef<string | undefined>(resumeSessionId);
  const lastResult = useRef<ExecutionResult | undefined>(undefined);
  const failure = useRef<unknown>(undefined);
  const interrupted = useRef(false);

  const finish = useCallback(() => {
    setNow(clock());
    setMode('done');
  }, [clock, setMode]);

  const begin = useCallback(
    (text: string, resume: string | undefined) => {
      interrupts.current = 0;
      setMode('running');
      let current: RunHandle;
      try {
        // The download reports every chunk; the bar needs at most 10 frames a second.
        const downloadGate = createDownloadGate({ mode: 'redraw', clock });
        current = start({ prompt: text, resumeSessionId: resume }, (event) => {
          if (event.type === 'download-progress' && downloadGate(event.bytes, event.total) === undefined) return;
          dispatch({ type: 'event', event, at: clock() });
        });
      } catch (error) {
        failure.current = error;
        finish();
        return;
      }
      handle.current = current;
      current.result.then(
        (result) => {
          lastResult.current = result;
          if (result.sessionId !== '') session.current = result.sessionId;
          dispatch({ type: 'event', event: { type: 'finished', result }, at: clock() });
          handle.current = undefined;
          if (interrupts.current > 0 || !followUps || session.current === undefined) finish();
          else setMode('input');
        },
        (error: unknown) => {
          failure.current = error;
          handle.current = undefined;
          finish();
        },
      );
    },
    [start, clock, finish, followUps, setMode],
  );

  const interrupt = useCallback(() => {
    const running = handle.current;
    if (running === undefined) {
      finish();
      return;
    }
    interrupts.current++;
    interrupted.current = true;
    if (interrupts.current === 1) {
      setMode('stopping');
      void running.stop();
    } else {
      setMode('killing');
      void running.kill();
    }
  }, [finish, setMode]);

  useEffect(() => {
    if (!askFirst) begin(prompt, resumeSessionId);
    // Start once, on mount; follow-ups call `begin` themselves.
  }, []);

  useEffect(() => onInterruptHandler?.(interrupt), [onInterruptHandler, interrupt]);

  useEffect(() => {
    if (mode === 'done') return undefined;
    const timer = setInterval(() => setNow(clock()), tickMs);
    return () => clearInterval(timer);
  }, [mode, clock, tickMs]);

  useEffect(() => {
    if (mode !== 'done') return;
    onExit({
      result: lastResult.current,
      sessionId: session.current,
      interrupted: interrupted.current,
      // Leaving the input line before any run is not a failure.
      exitCode: lastResult.current === undefined && !interrupted.current ? 0 : watchExitCode(lastResult.current, interrupted.current),
    });
    app.exit(failure.current instanceof Error ? failure.current : undefined);
  }, [mode, app, onExit]);

  useInput(
    (char, key) => {
      const current = modeRef.current;
      if (current === 'done') return;
      if (current === 'input') {
        if (key.return) {
          const text = inputRef.current.trim();
          setInput('');
          if (text === '') {
            finish();
            return;
          }
          dispatch({ type: 'follow-up', prompt: text });
          begin(text, session.current);
        } else if (key.escape || (key.ctrl && char === 'c')) finish();
        else if (key.backspace || key.delete) setInput(inputRef.current.slice(0, -1));
        else if (!key.ctrl && !key.meta && char !== '') setInput(inputRef.current + char);
        return;
      }
      if (key.ctrl && char === 'c') interrupt();
      else if (char === 'q' && current === 'running') interrupt();
      else if (char === 'v') setShowResults((value) => !value);
      else if (char === 'n') setShowNetwork((value) => !value);
    },
    { isActive: isRawModeSupported && mode !== 'done' },
  );

  const rows = stdout.rows;
  const maxItems = mode === 'done' || rows === undefined ? undefined : Math.max(2, Math.floor((rows - RESERVED_ROWS) / 2));
  return (
    <RunScreen
      state={state}
      mode={mode}
      now={now}
      showResults={showResults}
      showNetwork={showNetwork}
      input={input}
      sandboxed={sandboxed}
      maxItems={maxItems}
    />
  );
}
