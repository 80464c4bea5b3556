import { Box, Text } from 'ink';
import type { ExecutionResult } from '../../../sandbox/index.js';

/** Props of {@link StderrView}. */
export interface StderrViewProps {
  /** The last lines Claude Code wrote to stderr. */
  lines: readonly string[];
  /** The run's result once it ended; undefined while it runs. */
  result: ExecutionResult | undefined;
}

/**
 * What Claude Code wrote to stderr: while the run goes on, its latest line
 * (dimmed, it is mostly chatter); after a failure, every kept line, which
 * usually says why. Nothing after a success, or when the error line above
 * already quotes all of it.
 */
export function StderrView({ lines, result }: StderrViewProps) {
  if (lines.length === 0) return null;
  if (result === undefined) {
    return <Text dimColor wrap="truncate-end">{`stderr: ${lines.at(-1) ?? ''}`}</Text>;
  }
  if (result.outcome === 'success') return null;
  const summary = result.errorSummary ?? '';
  if (lines.every((line) => summary.includes(line))) return null;
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text color="red">{`Claude Code's stderr (last ${lines.length} ${lines.length === 1 ? 'line' : 'lines'}):`}</Text>
      {lines.map((line, index) => (
        <Text key={index} dimColor>{`  ${line}`}</Text>
      ))}
    </Box>
  );
}
