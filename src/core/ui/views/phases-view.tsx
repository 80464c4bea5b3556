import { Box, Text } from 'ink';
import { downloadBar, type RunPhase } from '../../run/index.js';
import { formatDuration } from '../format-units.js';
import { PHASE_LABELS, PHASE_ORDER, type PhaseView, type RunViewState } from '../run-view-state.js';
import { spinnerFrame } from './spinner.js';

/** Props of {@link PhasesView}. */
export interface PhasesViewProps {
  phases: RunViewState['phases'];
  buildLines: readonly string[];
  download: RunViewState['download'];
  /** Clock reading for spinners and running times. */
  now: number;
}


/** One line per phase; the running one shows its progress (build lines or a download bar). */
export function PhasesView({ phases, buildLines, download, now }: PhasesViewProps) {
  return (
    <Box flexDirection="column">
      {PHASE_ORDER.map((name) => {
        const phase = phases[name];
        return (
          <Box key={name} flexDirection="column">
            <PhaseLine name={name} phase={phase} now={now} />
            {name === 'image' && phase.state === 'running' && buildLines.map((line, index) => (
              <Text key={index} dimColor wrap="truncate-end">{`    ${line}`}</Text>
            ))}
            {name === 'claude-binary' && phase.state === 'running' && download !== undefined && (
              <Text>{`    ${downloadBar(download.bytes, download.total)}`}</Text>
            )}
          </Box>
        );
      })}
    </Box>
  );
}

function PhaseLine({ name, phase, now }: { name: RunPhase; phase: PhaseView; now: number }) {
  const detail = phase.detail === undefined ? '' : ` ${phase.detail}`;
  switch (phase.state) {
    case 'pending':
      return <Text dimColor>{`· ${PHASE_LABELS[name]}`}</Text>;
    case 'running':
      return (
        <Text>
          <Text color="cyan">{spinnerFrame(now)}</Text>
          {` ${PHASE_LABELS[name]}${detail}`}
          <Text dimColor>{` ${formatDuration(now - (phase.startedAt ?? now))}`}</Text>
        </Text>
      );
    case 'done':
      return (
        <Text>
          <Text color="green">✓</Text>
          {` ${PHASE_LABELS[name]}${detail}`}
          <Text dimColor>{` ${formatDuration((phase.endedAt ?? now) - (phase.startedAt ?? now))}`}</Text>
        </Text>
      );
    case 'failed':
      return (
        <Text>
          <Text color="red">✗</Text>
          {` ${PHASE_LABELS[name]}${detail}`}
          <Text dimColor>{` ${formatDuration((phase.endedAt ?? now) - (phase.startedAt ?? now))}`}</Text>
        </Text>
      );
    case 'skipped':
      return <Text dimColor>{`- ${PHASE_LABELS[name]}${detail === '' ? ' (skipped)' : detail}`}</Text>;
  }
}
