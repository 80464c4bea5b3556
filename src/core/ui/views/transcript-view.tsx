import { Box, Text } from 'ink';
import { formatDuration } from '../format-units.js';
import type { ToolCallItem, TranscriptItem } from '../run-view-state.js';
import { MarkdownView } from './markdown-view.js';
import { spinnerFrame } from './spinner.js';

/** Props of {@link TranscriptView}. */
export interface TranscriptViewProps {
  items: readonly TranscriptItem[];
  /** Show tool results in full (the `v` toggle) instead of a one-line note. */
  showResults: boolean;
  /** Clock reading for spinners and running times. */
  now: number;
  /** Show only the last this many items (the screen is finite); all when undefined. */
  maxItems?: number;
}

/** Result lines shown per tool call when results are expanded. */
const RESULT_LINES = 12;

/** The conversation so far: prompts, assistant Markdown, tool calls with status and duration, errors. */
export function TranscriptView({ items, showResults, now, maxItems }: TranscriptViewProps) {
  const hidden = maxItems === undefined ? 0 : Math.max(0, items.length - maxItems);
  const shown = hidden === 0 ? items : items.slice(hidden);
  return (
    <Box flexDirection="column">
      {hidden > 0 && <Text dimColor>{`… ${hidden} earlier ${hidden === 1 ? 'entry' : 'entries'}`}</Text>}
      {shown.map((item, index) => (
        <Box key={hidden + index} marginTop={item.kind === 'prompt' && hidden + index > 0 ? 1 : 0}>
          <ItemView item={item} showResults={showResults} now={now} />
        </Box>
      ))}
    </Box>
  );
}

function ItemView({ item, showResults, now }: { item: TranscriptItem; showResults: boolean; now: number }) {
  switch (item.kind) {
    case 'prompt':
      return (
        <Text>
          <Text color="magenta" bold>{'> '}</Text>
          {item.text}
        </Text>
      );
    case 'text':
      return (
        <Box paddingLeft={item.nested ? 4 : 0}>
          <MarkdownView text={item.text} />
        </Box>
      );
    case 'tool':
      return <ToolCallView call={item} showResults={showResults} now={now} />;
    case 'notice':
      return <Text color="yellow">{`! ${item.text}`}</Text>;
    case 'error':
      return <Text color="red">{`✗ ${item.text}`}</Text>;
  }
}

function ToolCallView({ call, showResults, now }: { call: ToolCallItem; showResults: boolean; now: number }) {
  const elapsed = formatDuration((call.endedAt ?? now) - call.startedAt);
  const resultLines = call.result === undefined ? [] : call.result.replace(/\n+$/, '').split('\n');
  return (
    <Box flexDirection="column" paddingLeft={call.nested ? 4 : 0}>
      <Text wrap="truncate-end">
        <StatusMark call={call} now={now} />
        <Text bold>{` ${call.name}`}</Text>
        {` ${call.summary}`}
        <Text dimColor>{` ${statusWord(call)} ${elapsed}`}</Text>
      </Text>
      {call.result !== undefined && !showResults && (
        <Text dimColor>{`  ⎿ ${resultLines.length === 1 && resultLines[0] !== undefined && resultLines[0].length <= 60 ? resultLines[0] : `${resultLines.length} lines (v to show)`}`}</Text>
      )}
      {call.result !== undefined && showResults && (
        <Box flexDirection="column" paddingLeft={4}>
          {resultLines.slice(0, RESULT_LINES).map((line, index) => (
            <Text key={index} dimColor={call.status !== 'error'} color={call.status === 'error' ? 'red' : undefined}>{line === '' ? ' ' : line}</Text>
          ))}
          {resultLines.length > RESULT_LINES && <Text dimColor>{`… ${resultLines.length - RESULT_LINES} more lines`}</Text>}
        </Box>
      )}
    </Box>
  );
}

function StatusMark({ call, now }: { call: ToolCallItem; now: number }) {
  switch (call.status) {
    case 'running':
      return <Text color="cyan">{spinnerFrame(now)}</Text>;
    case 'ok':
      return <Text color="green">✓</Text>;
    case 'error':
      return <Text color="red">✗</Text>;
    case 'interrupted':
      return <Text color="yellow">◌</Text>;
  }
}

function statusWord(call: ToolCallItem): string {
  switch (call.status) {
    case 'running':
      return 'running';
    case 'ok':
      return 'done';
    case 'error':
      return 'failed';
    case 'interrupted':
      return 'interrupted';
  }
}
