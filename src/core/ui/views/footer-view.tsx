import { Box, Text } from 'ink';
import { formatCost, formatCount, formatDuration } from '../format-units.js';
import type { RunTotals } from '../run-view-state.js';

/** Props of {@link FooterView}. */
export interface FooterViewProps {
  elapsedMs: number;
  totals: RunTotals;
  sessionId: string | undefined;
  /** The keys that do something right now, e.g. `q stop · v results · n network`. */
  keys: string;
}

/** The status line: elapsed time, turns, tokens, cost so far, session id, and the keys. */
export function FooterView({ elapsedMs, totals, sessionId, keys }: FooterViewProps) {
  return (
    <Box flexDirection="column">
      <Text>
        {`⏱ ${formatDuration(elapsedMs)} · ${totals.turns} ${totals.turns === 1 ? 'turn' : 'turns'} · ${formatCount(totals.inputTokens)} in / ${formatCount(totals.outputTokens)} out tokens · ${formatCost(totals.costUsd)}`}
        <Text dimColor>{` · session ${sessionId ?? '(not yet)'}`}</Text>
      </Text>
      {keys !== '' && <Text dimColor>{keys}</Text>}
    </Box>
  );
}
