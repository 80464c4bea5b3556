import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildExecutionResult, parseStreamJsonLine, type ClaudeEvent, type ExecutionResult } from '../../../src/sandbox/claude/stream/index.js';
import type { NetworkLogKind } from '../../../src/sandbox/network/proxy-events.js';
import type { RunEvent } from '../../../src/core/run/index.js';

/** The recorded stream-json of real Claude Code runs (test/fixtures/claude). */
export function sampleEvents(name: 'bash-tool-turn' | 'text-turn'): ClaudeEvent[] {
  const path = fileURLToPath(new URL(`../../fixtures/claude/claude-2.1.332-${name}.jsonl`, import.meta.url));
  return readFileSync(path, 'utf8').split('\n').flatMap((line) => {
    const event = parseStreamJsonLine(line);
    return event === undefined ? [] : [event];
  });
}

/** A stream-json line parsed, from an object. */
export function claudeEvent(data: Record<string, unknown>): ClaudeEvent {
  const event = parseStreamJsonLine(JSON.stringify(data));
  if (event === undefined) throw new Error('not an event');
  return event;
}

/** Wraps Claude events as run events. */
export function asRunEvents(events: readonly ClaudeEvent[]): RunEvent[] {
  return events.map((event) => ({ type: 'claude', event }));
}

/** The result a run of `events` produces with this exit. */
export function resultOf(events: readonly ClaudeEvent[], facts: { exitCode?: number | undefined; timedOut?: boolean; stopped?: boolean; stderr?: string } = {}): ExecutionResult {
  return buildExecutionResult({
    exitCode: 'exitCode' in facts ? facts.exitCode : 0,
    timedOut: facts.timedOut ?? false,
    stopped: facts.stopped ?? false,
    events,
    stderr: facts.stderr ?? '',
    wallClockMs: 1000,
  });
}

/** A network log event as the proxy reports it. */
export function networkEvent(kind: NetworkLogKind, line: string): RunEvent {
  return { type: 'network', event: { event: 'log', kind, level: kind === 'BLOCKED' || kind === 'ERROR' ? 'warn' : 'info', line, time: '2026-11-27T12:00:00.000Z' } };
}

/** The preparation of a sandboxed run: image built, binary cached, proxy up, task started. */
export const PREPARATION: readonly RunEvent[] = [
  { type: 'phase', phase: 'image', state: 'started', detail: '.airut/container/Dockerfile' },
  { type: 'build-output', line: 'STEP 1/2: FROM localhost/airut-test-base:bookworm' },
  { type: 'build-output', line: 'STEP 2/2: WORKDIR /workspace' },
  { type: 'phase', phase: 'image', state: 'finished', detail: 'airut-cli-repo:abc123' },
  { type: 'phase', phase: 'claude-binary', state: 'started' },
  { type: 'download-progress', bytes: 50_000_000, total: 200_000_000 },
  { type: 'download-progress', bytes: 200_000_000, total: 200_000_000 },
  { type: 'phase', phase: 'claude-binary', state: 'finished', detail: '2.1.332 (downloaded)' },
  { type: 'phase', phase: 'proxy', state: 'started' },
  { type: 'phase', phase: 'proxy', state: 'finished' },
  { type: 'phase', phase: 'task', state: 'started', detail: 'ctx-1' },
];

/** A tool call that has started and not come back. */
export function toolUse(id: string, name: string, input: Record<string, unknown>, extra: { parent?: string; messageId?: string } = {}): ClaudeEvent {
  return claudeEvent({
    type: 'assistant',
    session_id: 'sess-1',
    parent_tool_use_id: extra.parent ?? null,
    message: { id: extra.messageId ?? `msg_${id}`, role: 'assistant', model: 'claude-test', content: [{ type: 'tool_use', id, name, input }], usage: { input_tokens: 100, output_tokens: 20, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 } },
  });
}

/** The result of tool call `id`. */
export function toolResult(id: string, content: unknown, isError = false): ClaudeEvent {
  return claudeEvent({ type: 'user', session_id: 'sess-1', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content, is_error: isError }] } });
}

/** Assistant prose. */
export function assistantText(text: string, messageId = 'msg_text'): ClaudeEvent {
  return claudeEvent({
    type: 'assistant',
    session_id: 'sess-1',
    message: { id: messageId, role: 'assistant', model: 'claude-test', content: [{ type: 'text', text }], usage: { input_tokens: 10, output_tokens: 5 } },
  });
}
