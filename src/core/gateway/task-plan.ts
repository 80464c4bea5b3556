import type { ClaudeEvent } from '../../sandbox/index.js';
import type { PlanItem } from '../channels/index.js';

const STATUSES = new Set<string>(['pending', 'in_progress', 'completed']);

/**
 * The plan a Claude event sets, if it is a `TodoWrite` call of the main
 * agent: its whole list, which replaces the previous one. Subagents keep
 * their own lists; theirs are not the task's plan. Items without text or
 * with an unknown status are left out; an input that is no list at all is
 * not a plan.
 */
export function planOf(event: ClaudeEvent): PlanItem[] | undefined {
  if (event.type !== 'assistant' || event.parentToolUseId !== undefined) return undefined;
  let plan: PlanItem[] | undefined;
  for (const block of event.content) {
    if (block.type !== 'tool_use' || block.name !== 'TodoWrite') continue;
    const todos = (block.input as { todos?: unknown } | null | undefined)?.todos;
    if (!Array.isArray(todos)) continue;
    plan = todos.flatMap((todo: unknown): PlanItem[] => {
      if (typeof todo !== 'object' || todo === null) return [];
      const { content, activeForm, status } = todo as Record<string, unknown>;
      if (typeof content !== 'string' || content.trim() === '' || typeof status !== 'string' || !STATUSES.has(status)) return [];
      return [{ content, status: status as PlanItem['status'], ...(typeof activeForm === 'string' && activeForm.trim() !== '' ? { activeForm } : {}) }];
    });
  }
  return plan;
}

/** The last plan among `events` (a recorded run), or undefined when Claude wrote none. */
export function latestPlan(events: readonly ClaudeEvent[]): PlanItem[] | undefined {
  let plan: PlanItem[] | undefined;
  for (const event of events) plan = planOf(event) ?? plan;
  return plan;
}
