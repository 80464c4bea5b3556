import { CLAUDE_STDERR_PREFIX, downloadBar, downloadSpeed, isDownloadStep, type RunEvent } from '../run/index.js';
import { formatCost, formatCount, formatDuration } from './format-units.js';
import { describeOutcome } from './reduce-run-event.js';
import { PHASE_LABELS, sessionTotals, type RunViewState, type ToolCallItem } from './run-view-state.js';

/**
 * The plain-text form of one run event, for output that is not a terminal
 * (a log file, CI): the same information as the TUI, one fact per line, no
 * cursor control. `before` and `after` are the view states around the event,
 * so a line can say what changed (a tool's duration, the hint of a block).
 */
export function plainLines(event: RunEvent, before: RunViewState, after: RunViewState): string[] {
  switch (event.type) {
    case 'phase': {
      const label = PHASE_LABELS[event.phase];
      const detail = event.detail === undefined ? '' : `: ${event.detail}`;
      const phase = after.phases[event.phase];
      if (event.state === 'started') return [`[${event.phase}] ${label} started${detail}`];
      if (event.state === 'skipped') return [`[${event.phase}] ${label} skipped${detail}`];
      return [`[${event.phase}] ${label} done${detail} (${formatDuration((phase.endedAt ?? 0) - (phase.startedAt ?? 0))})`];
    }
    case 'build-output':
      return event.line.trim() === '' ? [] : [`[image] | ${event.line.trimEnd()}`];
    case 'download-progress':
      return isDownloadStep(before.download?.bytes, event.bytes, event.total) ? [`[claude-binary] ${downloadBar(event.bytes, event.total)}${downloadSpeed(averageSpeed(after))}`] : [];
    case 'claude':
      return claudeLines(before, after);
    case 'stderr':
      // The TUI keeps these lines too; a log file gets each one as it comes.
      return event.line.trim() === '' ? [] : [`${CLAUDE_STDERR_PREFIX}${event.line.trimEnd()}`];
    case 'network': {
      if (event.event.kind === 'DNS' || event.event.kind === 'TASK_START') return [];
      const lines = [`[network] ${event.event.line}`];
      if (event.event.kind === 'BLOCKED' && after.network.lastBlockHint !== undefined) lines.push(...after.network.lastBlockHint.map((l) => `[network]   ${l}`));
      return lines;
    }
    case 'warning':
      return [`[warning] ${event.message}`];
    case 'hold':
      return [event.event.event === 'hold'
        ? `[network] HELD ${event.event.method} ${event.event.host}${event.event.path} (${event.event.id}) for up to ${Math.round(event.event.expires_in_ms / 1000)} s, waiting for Allow or Deny`
        : `[network] hold ${event.event.id} ${event.event.outcome}`];
    case 'finished': {
      const result = event.result;
      const totals = sessionTotals(after);
      const figures = `${totals.turns} ${totals.turns === 1 ? 'turn' : 'turns'}, ${formatCount(totals.inputTokens)} in / ${formatCount(totals.outputTokens)} out tokens, ${formatCost(totals.costUsd)}, ${formatDuration(result.durationMs)}`;
      const session = after.sessionId === undefined ? '' : `, session ${after.sessionId}`;
      if (result.outcome === 'success') return [`[done] ${figures}${session}`];
      return [`[failed] ${describeOutcome(result)}: ${result.errorSummary ?? 'the run failed'}`, `[failed] ${figures}${session}`];
    }
  }
}

/** The new transcript entries (and changed tool calls) of a Claude event, as lines. */
function claudeLines(before: RunViewState, after: RunViewState): string[] {
  const lines: string[] = [];
  if (before.sessionId === undefined && after.sessionId !== undefined) lines.push(`[session] ${after.sessionId}${after.model === undefined ? '' : ` (${after.model})`}`);
  const previous = new Map(before.transcript.flatMap((item) => (item.kind === 'tool' ? [[item.id, item] as const] : [])));
  for (const [index, item] of after.transcript.entries()) {
    if (index >= before.transcript.length) {
      switch (item.kind) {
        case 'text':
          lines.push(...item.text.replace(/\n+$/, '').split('\n'));
          break;
        case 'tool':
          lines.push(`[tool] ${item.name}: ${item.summary}`);
          break;
        case 'notice':
          lines.push(`[notice] ${item.text}`);
          break;
        case 'error':
          lines.push(`[error] ${item.text}`);
          break;
        case 'prompt':
          lines.push(`> ${item.text}`);
          break;
      }
    } else if (item.kind === 'tool' && previous.get(item.id)?.status === 'running' && item.status !== 'running') {
      lines.push(toolEndLine(item));
    }
  }
  return lines;
}

function toolEndLine(call: ToolCallItem): string {
  const word = call.status === 'error' ? 'failed' : call.status === 'interrupted' ? 'interrupted' : 'done';
  const resultLines = call.result === undefined ? 0 : call.result.replace(/\n+$/, '').split('\n').length;
  return `[tool] ${call.name} ${word} in ${formatDuration((call.endedAt ?? call.startedAt) - call.startedAt)} (${resultLines} ${resultLines === 1 ? 'line' : 'lines'} of output)`;
}

/** Bytes per second on average since the download's first event; undefined on that first event. */
function averageSpeed(state: RunViewState): number | undefined {
  const download = state.download;
  if (download === undefined || download.at <= download.startedAt) return undefined;
  return (download.bytes * 1000) / (download.at - download.startedAt);
}
