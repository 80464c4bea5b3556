import type { NetworkLineView, PlanItemView, ReplyView, TaskView } from '../views.js';
import { byId, el, eventData, setText } from './dom.js';
import { taskHolds } from './task-holds.js';
import type { ClaudeEventWire, RunEventWire, RunResultWire } from './wire.js';

/** A tool result's content as text. */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    return value.map((part: unknown) => {
      const partText = typeof part === 'object' && part !== null ? (part as { text?: unknown }).text : undefined;
      return typeof partText === 'string' ? partText : JSON.stringify(part);
    }).join('\n');
  }
  return JSON.stringify(value);
}

function short(value: string, limit: number): string {
  return value.length > limit ? `${value.slice(0, limit)} …` : value;
}

/** What `/api/tasks/<id>/record` answers. */
interface TaskRecord {
  task: TaskView;
  reply: ReplyView | undefined;
  events: ClaudeEventWire[];
  network: NetworkLineView[];
  plan?: PlanItemView[];
}

const PLAN_MARKS: Record<PlanItemView['status'], string> = { completed: '☑ ', in_progress: '▶ ', pending: '☐ ' };

/** The task page: transcript, plan, network log and totals, live or from the record on disk. */
export function taskPage(root: HTMLElement): void {
  const taskId = root.dataset.taskId ?? '';
  const transcript = byId('transcript');
  const network = byId('network');
  const todos = byId('todos');
  const blockedOnly = byId<HTMLInputElement>('blocked-only');
  const stop = byId<HTMLButtonElement>('stop-task');
  const stopResult = byId('stop-result');

  function add(cls: string, label: string, body: string): void {
    const item = el('li', cls);
    item.appendChild(el('span', 'label', label));
    item.appendChild(el('pre', 'body', body));
    transcript.appendChild(item);
  }
  /** Claude's plan as the server read it from TodoWrite (the same lists Slack shows); the item in progress in its -ing form. */
  let planShown = false;
  function showPlan(plan: PlanItemView[]): void {
    planShown = true;
    todos.textContent = '';
    for (const item of plan) {
      const words = item.status === 'in_progress' && item.activeForm !== undefined ? item.activeForm : item.content;
      todos.appendChild(el('li', `todo ${item.status}`, PLAN_MARKS[item.status] + words));
    }
  }
  function claude(event: ClaudeEventWire): void {
    for (const block of event.content ?? []) {
      if (block.type === 'text' && event.type === 'assistant') add('assistant', 'Claude', block.text ?? '');
      else if (block.type === 'tool_use') {
        add('tool-call', `Tool: ${block.name ?? ''}`, short(JSON.stringify(block.input, null, 2), 2000));
      } else if (block.type === 'tool_result') {
        add(block.isError === true ? 'tool-result error' : 'tool-result', 'Result', short(text(block.content), 2000));
      }
    }
  }
  function finished(result: RunResultWire): void {
    // A stop is reported by the sandbox as container_failed with stopped set; say what happened.
    setText('task-outcome', result.stopped === true ? 'stopped' : result.outcome);
    setText('task-duration', `${(result.durationMs / 1000).toFixed(1)} s`);
    setText('task-turns', String(result.numTurns));
    setText('task-tokens', `${result.usage.inputTokens} in / ${result.usage.outputTokens} out`);
    setText('task-cost', `$${result.costUsd.toFixed(4)}`);
  }
  function networkLine(line: NetworkLineView): void {
    const item = el('li', `net ${line.kind.toLowerCase()}`, line.line);
    if (line.kind === 'BLOCKED') item.appendChild(el('p', 'hint', 'To allow this, add the host to .airut/network-allowlist.yaml in the repository.'));
    network.appendChild(item);
  }
  function loadRecord(): Promise<TaskRecord> {
    return fetch(`/api/tasks/${taskId}/record`).then((response) => response.json() as Promise<TaskRecord>);
  }

  blockedOnly.addEventListener('change', () => {
    network.classList.toggle('blocked-only', blockedOnly.checked);
  });
  stop.addEventListener('click', () => {
    stop.disabled = true;
    fetch(`/api/tasks/${taskId}/stop`, { method: 'POST', headers: { 'X-Airut-Request': '1' } })
      .then((response) => response.json() as Promise<{ result?: string; message?: string }>)
      .then((body) => { stopResult.textContent = body.result === 'stopping' ? 'Stopping…' : body.message ?? ''; })
      .catch((error: unknown) => { stopResult.textContent = String(error); });
  });

  if (root.dataset.source === 'record') {
    // A finished task: its run as recorded on disk, through the same renderers.
    loadRecord()
      .then((record) => {
        for (const event of record.events) if (event.type === 'assistant' || event.type === 'user') claude(event);
        record.network.forEach(networkLine);
        if (record.plan !== undefined) showPlan(record.plan);
        const reply = record.reply;
        if (reply !== undefined) {
          finished({
            outcome: record.task.reason ?? record.task.state, durationMs: reply.durationMs, numTurns: reply.numTurns, costUsd: reply.costUsd,
            usage: { inputTokens: reply.usage.input_tokens ?? 0, outputTokens: reply.usage.output_tokens ?? 0 },
          });
          setText('reply-text', reply.responseText);
        }
        root.dataset.loaded = 'record';
      })
      .catch((error: unknown) => { add('warning', 'Warning', `Could not load the recorded run: ${String(error)}`); });
    return;
  }

  const source = new EventSource(`/api/events?task=${encodeURIComponent(taskId)}&lastEventId=0`);
  source.addEventListener('open', () => { root.dataset.live = 'open'; });
  taskHolds(taskId, source);
  source.addEventListener('task', (message) => {
    const { task } = eventData<{ task: TaskView }>(message);
    const node = byId('task-state');
    node.textContent = task.state + (task.reason === undefined ? '' : ` (${task.reason})`);
    node.className = task.state;
    if (task.startedAt !== undefined) setText('task-started', task.startedAt);
    if (task.finishedAt !== undefined) setText('task-finished', task.finishedAt);
    if (task.state === 'completed' || task.state === 'failed') {
      stop.disabled = true;
      if (task.reason === 'stopped') stopResult.textContent = 'Stopped.';
      // The reply is recorded before the task ends: show what the user was sent.
      loadRecord()
        .then((record) => { if (record.reply !== undefined) setText('reply-text', record.reply.responseText); })
        .catch(() => { /* the page still shows the run; only the reply text is missing */ });
    }
    root.dataset.state = task.state;
  });
  source.addEventListener('plan', (message) => {
    showPlan(eventData<{ plan: PlanItemView[] }>(message).plan);
  });
  // A plan written before the stream's replay buffer begins is still known to the server.
  loadRecord()
    .then((record) => { if (!planShown && record.plan !== undefined) showPlan(record.plan); })
    .catch(() => { /* no record yet: the plan comes with the stream */ });
  source.addEventListener('run', (message) => {
    const run = eventData<{ event: RunEventWire }>(message).event;
    if (run.type === 'claude') claude(run.event);
    else if (run.type === 'network' && run.event.event === 'log') networkLine(run.event);
    else if (run.type === 'finished') finished(run.result);
    else if (run.type === 'warning') add('warning', 'Warning', run.message);
  });
}
