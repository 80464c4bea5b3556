import t, { type Test } from 'tap';
import { render } from 'ink-testing-library';
import { initialRunViewState, reduceRunEvent, type RunViewState } from '../../../src/core/ui/index.js';
import { RunScreen, type RunScreenProps } from '../../../src/core/ui/views/run-screen.js';
import { MarkdownView } from '../../../src/core/ui/views/markdown-view.js';
import { PhasesView } from '../../../src/core/ui/views/phases-view.js';
import type { RunEvent } from '../../../src/core/run/index.js';
import { plainFrame } from './frames.js';
import { asRunEvents, assistantText, claudeEvent, networkEvent, PREPARATION, resultOf, sampleEvents, toolResult, toolUse } from './run-events.js';

function fold(events: readonly RunEvent[]): RunViewState {
  return events.reduce((s, event, index) => reduceRunEvent(s, event, 1000 + (index + 1) * 100), initialRunViewState('Write the file', 1000));
}

function screen(t: Test, state: RunViewState, props: Partial<RunScreenProps> = {}): string {
  const rendered = render(<RunScreen state={state} mode="running" now={5000} showResults={false} showNetwork input="" sandboxed {...props} />);
  t.teardown(() => rendered.unmount());
  return plainFrame(rendered);
}

t.test('the recorded Bash turn: prompt, tool call with summary, status and duration, answer, footer', async (t) => {
  const events = sampleEvents('bash-tool-turn');
  const state = fold([...PREPARATION, ...asRunEvents(events), { type: 'finished', result: resultOf(events) }]);
  const frame = screen(t, state, { mode: 'done' });
  t.match(frame, /✓ Container image airut-cli-repo:abc123 0\.3s/);
  t.match(frame, /✓ Claude Code binary 2\.1\.332 \(downloaded\)/);
  t.match(frame, /✓ Network sandbox/);
  t.match(frame, /> Write the file/);
  t.match(frame, /✓ Bash echo hi > \/workspace\/x\.txt done 0\.1s/);
  t.match(frame, /⎿ \(Bash completed with no output\)/, 'a one-line result shows collapsed as itself');
  t.match(frame, /Done: wrote the file\./);
  t.match(frame, /⏱ 4\.0s · 2 turns · 20 in \/ 25 out tokens · \$0\.0006 · session 908e00fc-a40f-4a47-a438-6e1c9954149a/);
  t.notMatch(frame, /q or Ctrl-C/, 'no keys once done');
});

t.test('phases in progress: spinner, last build lines, download bar', async (t) => {
  const state = fold([
    ...PREPARATION.slice(0, 3),
  ]);
  const rendered = render(<PhasesView phases={state.phases} buildLines={state.buildLines} download={state.download} now={2000} />);
  t.teardown(() => rendered.unmount());
  const frame = plainFrame(rendered);
  t.match(frame, /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] Container image \.airut\/container\/Dockerfile 0\.9s/);
  t.match(frame, /STEP 1\/2: FROM localhost\/airut-test-base:bookworm\n.*STEP 2\/2: WORKDIR \/workspace/);
  t.match(frame, /· Claude Code binary\n· Network sandbox\n· Claude Code/);

  const downloading = fold([...PREPARATION.slice(0, 6)]);
  const second = render(<PhasesView phases={downloading.phases} buildLines={downloading.buildLines} download={downloading.download} now={2000} />);
  t.teardown(() => second.unmount());
  t.match(plainFrame(second), /Claude Code binary.*\n\s+\[██████░+\] 50\.0 MB \/ 200\.0 MB 25%/);
  t.notMatch(plainFrame(second), /STEP 1/, 'build lines go once the image is done');
});

t.test('a tool call in progress, and results expanded with v', async (t) => {
  const state = fold(asRunEvents([
    toolUse('t1', 'Bash', { command: 'ls -la' }),
    toolResult('t1', 'total 8\ndrwxr-xr-x 2 root root 4096 .\n-rw-r--r-- 1 root root 3 x.txt'),
    toolUse('t2', 'Read', { file_path: '/workspace/x.txt' }, { messageId: 'msg_2' }),
  ]));
  const collapsed = screen(t, state);
  t.match(collapsed, /✓ Bash ls -la done 0\.1s/);
  t.match(collapsed, /⎿ 3 lines \(v to show\)/);
  t.notMatch(collapsed, /drwxr-xr-x/);
  t.match(collapsed, /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] Read \/workspace\/x\.txt running 3\.7s/, 'spinner and time so far');
  t.match(collapsed, /q or Ctrl-C stop · v tool results · n network/);
  const expanded = screen(t, state, { showResults: true });
  t.match(expanded, /total 8\n\s+drwxr-xr-x 2 root root 4096 \.\n\s+-rw-r--r-- 1 root root 3 x\.txt/);
});

t.test('a blocked request in the network panel, with the entry to add; hidden with n', async (t) => {
  const state = fold([
    networkEvent('ALLOWED', 'ALLOWED POST https://api.anthropic.com/v1/messages?beta=true -> 200 [masked: 1]'),
    networkEvent('BLOCKED', 'BLOCKED GET https://pypi.org/simple/requests/ -> 403'),
  ]);
  const frame = screen(t, state);
  t.match(frame, /Network\s+1 allowed\s+1 blocked/);
  t.match(frame, /ALLOWED POST https:\/\/api\.anthropic\.com\/v1\/messages\?beta=true -> 200 \[masked: 1\]/);
  t.match(frame, /BLOCKED GET https:\/\/pypi\.org\/simple\/requests\/ -> 403/);
  t.match(frame, /To allow it, add to \.airut\/network-allowlist\.yaml:\s*│?\s*\n.*url_prefixes:\s*│?\s*\n.*- host: pypi\.org/);
  const hidden = screen(t, state, { showNetwork: false });
  t.notMatch(hidden, /ALLOWED POST/);
  t.match(hidden, /1 blocked request \(n shows the network panel\)/);
  const empty = screen(t, fold([]), { sandboxed: false });
  t.match(empty, /Network \(no sandbox: traffic is not filtered\)\s+0 allowed\s+0 blocked/);
  t.match(empty, /No requests yet\./);
});

t.test('an error outcome', async (t) => {
  const events = [claudeEvent({ type: 'system', subtype: 'init', session_id: 'sess-9' }), toolUse('t1', 'Bash', { command: 'sleep 600' })];
  const state = fold([{ type: 'phase', phase: 'task', state: 'started' }, ...asRunEvents(events), { type: 'finished', result: resultOf(events, { exitCode: undefined, timedOut: true }) }]);
  const frame = screen(t, state, { mode: 'done' });
  t.match(frame, /✗ Claude Code 0\.3s/);
  t.match(frame, /◌ Bash sleep 600 interrupted/);
  t.match(frame, /✗ Timed out: /);
  t.match(frame, /session sess-9/);
});

t.test('Claude\'s stderr: the latest line while running, the kept lines after a failure, nothing after a success', async (t) => {
  const init = claudeEvent({ type: 'system', subtype: 'init', session_id: 'sess-e' });
  const stderr: RunEvent[] = [
    { type: 'stderr', line: 'Retrying request (attempt 1)\n' },
    { type: 'stderr', line: 'Error: unable to verify the first certificate\n' },
  ];
  const running = screen(t, fold([{ type: 'phase', phase: 'task', state: 'started' }, ...asRunEvents([init]), ...stderr]));
  t.match(running, /stderr: Error: unable to verify the first certificate/);
  t.notMatch(running, /Retrying request/, 'only the latest line while running');

  // The error summary comes from a result event here, so the stderr lines are news.
  const failedEvents = [init, claudeEvent({ type: 'result', subtype: 'error_during_execution', is_error: true, result: 'Request failed', session_id: 'sess-e' })];
  const failed = screen(t, fold([...asRunEvents([init]), ...stderr, { type: 'finished', result: resultOf(failedEvents, { exitCode: 1 }) }]), { mode: 'done' });
  t.match(failed, /Claude Code's stderr \(last 2 lines\):\n\s+Retrying request \(attempt 1\)\n\s+Error: unable to verify the first certificate/);

  // Without a result event the summary is the stderr tail itself: said once.
  const crashed = screen(t, fold([...stderr, { type: 'finished', result: resultOf([], { exitCode: 1, stderr: 'Retrying request (attempt 1)\nError: unable to verify the first certificate\n' }) }]), { mode: 'done' });
  t.match(crashed, /Error: unable to verify the first certificate/);
  t.notMatch(crashed, /Claude Code's stderr/, 'not repeated below the error line');

  const events = sampleEvents('text-turn');
  const succeeded = screen(t, fold([...stderr, ...asRunEvents(events), { type: 'finished', result: resultOf(events) }]), { mode: 'done' });
  t.notMatch(succeeded, /certificate/, 'nothing after a success');
});

t.test('stopping, and the follow-up line', async (t) => {
  const events = sampleEvents('text-turn');
  const state = fold([...asRunEvents(events), { type: 'finished', result: resultOf(events) }]);
  t.match(screen(t, state, { mode: 'stopping' }), /Stopping the task… Ctrl-C again kills it/);
  const input = screen(t, state, { mode: 'input', input: 'and now' });
  t.match(input, /> and now/);
  t.match(input, /Follow-up: Enter sends · Esc or an empty line exits/);
});

t.test('only the last entries fit while running', async (t) => {
  const state = fold(asRunEvents(Array.from({ length: 6 }, (_, i) => assistantText(`answer ${i}`, `m${i}`))));
  const frame = screen(t, state, { maxItems: 2 });
  t.match(frame, /… 5 earlier entries\nanswer 4\nanswer 5/);
  t.notMatch(frame, /answer 3/);
});

t.test('Markdown: headings, bold, code blocks, lists', async (t) => {
  const text = '# Summary\n\nI changed **two** files:\n\n- `src/a.ts`\n  - helper\n1. ran [tests](https://ci.test/1)\n\n```ts\nconst x = 1;\n```\n> note';
  const rendered = render(<MarkdownView text={text} />);
  t.teardown(() => rendered.unmount());
  t.equal(plainFrame(rendered), [
    'Summary',
    'I changed two files:',
    '• src/a.ts',
    '  • helper',
    '1. ran tests (https://ci.test/1)',
    '  const x = 1;',
    '│ note',
  ].join('\n'));
});
