import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { ImageCache } from '../../../src/sandbox/image/index.js';
import { AgentTask } from '../../../src/sandbox/task/index.js';
import { realClaudeBinary } from '../../harness/claude-binary.js';
import { startFakeAnthropic } from '../../harness/fake-anthropic/index.js';
import { TEST_BASE_IMAGE, testRuntime } from '../../harness/podman.js';
import { testResources } from './test-resources.js';

// The real Claude Code binary against a fake Messages API. Both containers sit
// on an --internal network without DNS that this test creates: nothing leaves
// the machine.
const runtime = testRuntime();
const claude = await realClaudeBinary();
const { prefix, dir, assertNothingLeft } = await testResources(t, runtime, 'real');
// Named apart from the task prefix: these outlive each test, which checks its own leftovers.
const network = `airut-fx-${prefix.slice(-6)}-net`;
await runtime.run(['network', 'create', '--internal', '--disable-dns', network]);
t.teardown(() => runtime.call(['network', 'rm', '-f', network]));
const fake = await startFakeAnthropic(runtime, network, dir, `airut-fx-${prefix.slice(-6)}`);
t.teardown(() => fake.stop());
const imageTag = await new ImageCache({ runtime, prefix, lockDir: dir, tmpDir: dir, buildNetwork: 'none' })
  .ensureImage(`FROM ${TEST_BASE_IMAGE}\nWORKDIR /workspace\n`, {});

async function agent(id: string): Promise<{ task: AgentTask; workspace: string }> {
  const workspace = join(dir, id, 'workspace');
  await mkdir(workspace, { recursive: true });
  const task = new AgentTask({
    runtime,
    prefix,
    executionContextId: id,
    executionContextDir: join(dir, id),
    imageTag,
    claudeBinary: claude,
    mounts: [{ hostPath: workspace, containerPath: '/workspace' }],
    env: {
      ANTHROPIC_BASE_URL: fake.url,
      ANTHROPIC_API_KEY: 'sk-ant-test-not-a-real-key',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    },
    network,
    timeoutSeconds: 120,
  });
  return { task, workspace };
}

const types = (events: readonly { type: string }[]) => events.map((e) => e.type);
const logLines = async (task: AgentTask) => (await readFile(task.eventLogPath, 'utf8')).split('\n');

void t.test('a text turn, then a resumed session that carries the earlier messages', async (t) => {
  const { task } = await agent('text');
  const first = await task.execute('Say hello');
  t.equal(first.outcome, 'success', first.errorSummary ?? first.stderrTail);
  t.equal(first.responseText, 'Hello from the fake server.');
  t.match(first.sessionId, /^[0-9a-f-]{36}$/);
  t.equal(first.numTurns, 1);
  t.equal(first.exitCode, 0);
  t.equal(first.isError, false);
  t.ok(first.costUsd >= 0);
  t.same(types(first.events), ['system', 'assistant', 'result']);
  const firstLog = await logLines(task);
  t.same(firstLog.slice(0, -1).map((l) => (JSON.parse(l) as { type: string }).type), ['system', 'assistant', 'result'], 'events.jsonl holds exactly the events');
  t.equal(firstLog.at(-1), '', 'the file ends with a newline');

  const seenBefore = (await fake.requests()).length;
  const second = await task.execute('Say hello again', { sessionId: first.sessionId });
  t.equal(second.outcome, 'success', second.errorSummary ?? second.stderrTail);
  t.equal(second.sessionId, first.sessionId, 'the session continues');
  const requests = (await fake.requests()).slice(seenBefore).filter((r) => r.url.startsWith('/v1/messages'));
  const text = JSON.stringify(requests.at(-1)?.body?.messages ?? []);
  t.match(text, /Say hello(?! again)/, 'the fake saw the first prompt again');
  t.match(text, /Hello from the fake server\./, 'and the first answer');
  t.match(text, /Say hello again/);

  const log = await logLines(task);
  const blank = log.indexOf('');
  t.equal(blank, 3, 'a blank line after the first reply');
  t.same(log.slice(blank + 1, -1).map((l) => (JSON.parse(l) as { type: string }).type), ['system', 'assistant', 'result']);
  t.equal(log.length, 8);

  const request = requests.at(-1)!;
  t.equal(request.method, 'POST');
  t.equal(request.headers['x-api-key'], 'sk-ant-test-not-a-real-key');
  t.equal(request.body?.stream, true);
  await assertNothingLeft();
});

void t.test('a Bash tool turn writes a file into the workspace', async (t) => {
  const { task, workspace } = await agent('bash');
  const result = await task.execute('RUN: echo hi > /workspace/x.txt');
  t.equal(result.outcome, 'success', result.errorSummary ?? result.stderrTail);
  t.equal(result.responseText, 'Done: ran the command.');
  t.same(types(result.events), ['system', 'assistant', 'user', 'assistant', 'result']);
  t.equal(await readFile(join(workspace, 'x.txt'), 'utf8'), 'hi\n', 'the file appears on the host');
  t.equal(result.numTurns, 2);
  const log = await logLines(task);
  t.equal(log.length, 6, 'five events and the final newline');
  await assertNothingLeft();
});
