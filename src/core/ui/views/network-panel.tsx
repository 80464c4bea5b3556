import { Box, Text } from 'ink';
import type { NetworkView } from '../run-view-state.js';

/** Props of {@link NetworkPanel}. */
export interface NetworkPanelProps {
  network: NetworkView;
  /** False when the run has no network sandbox (nothing is filtered). */
  sandboxed: boolean;
}

/** The network sandbox at a glance: counters, the last lines (blocked ones in red) and how to allow the last block. */
export function NetworkPanel({ network, sandboxed }: NetworkPanelProps) {
  return (
    <Box flexDirection="column" borderStyle="single" borderColor={network.blocked > 0 ? 'red' : 'gray'} paddingX={1}>
      <Text>
        <Text bold>Network</Text>
        {sandboxed ? '' : ' (no sandbox: traffic is not filtered)'}
        {'  '}
        <Text color="green">{`${network.allowed} allowed`}</Text>
        {'  '}
        <Text color={network.blocked > 0 ? 'red' : undefined}>{`${network.blocked} blocked`}</Text>
        {network.problems > 0 && <Text color="yellow">{`  ${network.problems} other`}</Text>}
      </Text>
      {network.lines.length === 0 && <Text dimColor>No requests yet.</Text>}
      {network.lines.map((entry, index) => (
        <Text key={index} wrap="truncate-end" color={lineColor(entry.kind)} bold={entry.kind === 'BLOCKED'}>
          {entry.line}
        </Text>
      ))}
      {network.lastBlockHint !== undefined && (
        <Box flexDirection="column" marginTop={1}>
          {network.lastBlockHint.map((line, index) => (
            <Text key={index} color="yellow">{line}</Text>
          ))}
        </Box>
      )}
    </Box>
  );
}

function lineColor(kind: string): string | undefined {
  switch (kind) {
    case 'BLOCKED':
      return 'red';
    case 'ALLOWED':
      return undefined;
    default:
      return 'yellow';
  }
}
