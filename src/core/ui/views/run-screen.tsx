import { Box, Text } from 'ink';
import { sessionTotals, type RunViewState } from '../run-view-state.js';
import { FollowUpInput } from './follow-up-input.js';
import { FooterView } from './footer-view.js';
import { NetworkPanel } from './network-panel.js';
import { PhasesView } from './phases-view.js';
import { StderrView } from './stderr-view.js';
import { TranscriptView } from './transcript-view.js';

/**
 * What the screen is doing: a run in progress, a stop requested, a kill
 * requested, waiting for a follow-up, or finished for good (the last frame
 * left on the terminal).
 */
export type ScreenMode = 'running' | 'stopping' | 'killing' | 'input' | 'done';

/** Props of {@link RunScreen}. */
export interface RunScreenProps {
  state: RunViewState;
  mode: ScreenMode;
  now: number;
  showResults: boolean;
  showNetwork: boolean;
  /** The follow-up typed so far (shown in `input` mode). */
  input: string;
  /** False when the run has no network sandbox. */
  sandboxed: boolean;
  /** Transcript entries that fit on screen; all when undefined. */
  maxItems?: number;
}

const KEYS: Readonly<Record<ScreenMode, string>> = {
  running: 'q or Ctrl-C stop · v tool results · n network',
  stopping: 'Stopping the task… Ctrl-C again kills it',
  killing: 'Killing the task…',
  input: 'Follow-up: Enter sends · Esc or an empty line exits',
  done: '',
};

/** The whole live-run screen: phases, transcript, Claude's stderr, network panel, follow-up line and footer. */
export function RunScreen({ state, mode, now, showResults, showNetwork, input, sandboxed, maxItems }: RunScreenProps) {
  return (
    <Box flexDirection="column">
      <PhasesView phases={state.phases} buildLines={state.buildLines} download={state.download} now={now} />
      <Box marginTop={1} flexDirection="column">
        <TranscriptView items={state.transcript} showResults={showResults} now={now} maxItems={maxItems} />
      </Box>
      <StderrView lines={state.stderrTail} result={state.result} />
      {showNetwork && <NetworkPanel network={state.network} sandboxed={sandboxed} />}
      {!showNetwork && state.network.blocked > 0 && (
        <Text color="red">{`${state.network.blocked} blocked request${state.network.blocked === 1 ? '' : 's'} (n shows the network panel)`}</Text>
      )}
      {mode === 'input' && (
        <Box marginTop={1}>
          <FollowUpInput value={input} />
        </Box>
      )}
      <Box marginTop={1}>
        <FooterView elapsedMs={now - state.startedAt} totals={sessionTotals(state)} sessionId={state.sessionId} keys={KEYS[mode]} />
      </Box>
    </Box>
  );
}
