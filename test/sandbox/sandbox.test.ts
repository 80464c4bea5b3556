import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import t, { type Test } from 'tap';
import { Sandbox, newExecutionContextId, labelArgs } from '../../src/sandbox/index.js';
import { TEST_BASE_IMAGE, testContainersConf, testRuntime } from '../harness/podman.js';
import { testResources } from './task/test-resources.js';

const FAKE_CLAUDE = fileURLToPath(new URL('../harness/fake-claude/claude', import.meta.url));
const runtime = testRuntime();
const DEAD_PID = 999_999_999;

void t.test('startup removes orphans of its own prefix only', async (t) => {
  const { prefix, dir, assertNothingLeft } = await testResources(t, runtime, 'sbx');
  const other = `${prefix}-other`;
  const create = (name: string, owner: { prefix: string; ownerPid: number }) =>
    runtime.run(['create', '--name', name, ...labelArgs(owner), '--network', 'none', TEST_BASE_IMAGE, 'true']);
  await create(`${prefix}-orphan`, { prefix, ownerPid: DEAD_PID });
  await create(`${prefix}-live`, { prefix, ownerPid: process.pid });
  await create(`${other}-orphan`, { prefix: other, ownerPid: DEAD_PID });
  await runtime.run(['network', 'create', '--internal', ...labelArgs({ prefix, ownerPid: DEAD_PID }), `${prefix}-net`]);

  const sandbox = new Sandbox({ runtime, resourcePrefix: prefix, stateDir: dir, isAlive: (pid) => pid !== DEAD_PID });
  const report = await sandbox.startup();
  t.same(report, { containers: [`${prefix}-orphan`], networks: [`${prefix}-net`] });
  const left = await runtime.run(['ps', '-a', '--filter', `name=${prefix}`, '--format', '{{.Names}}']);
  t.same(left.stdout.split('\n').sort(), [`${prefix}-live`, `${other}-orphan`], 'the live owner\'s and the other prefix\'s containers stay');
  await runtime.run(['rm', '-f', `${prefix}-live`, `${other}-orphan`]);
  await sandbox.shutdown();
  await assertNothingLeft();
});

void t.test('the whole flow: image, agent task, command task, shutdown', async (t) => {
  const { prefix, dir, assertNothingLeft } = await testResources(t, runtime, 'sbx');
  const sandbox = new Sandbox({ runtime, resourcePrefix: prefix, stateDir: join(dir, 'state'), tmpDir: dir, buildNetwork: 'none', claudeBinaryPath: FAKE_CLAUDE });
  await sandbox.startup();
  const dockerfile = `FROM ${TEST_BASE_IMAGE}\nWORKDIR /workspace\n`;

  const workspace = join(dir, 'workspace');
  const contextDir = join(dir, 'context');
  await mkdir(workspace);
  const imageTag = await sandbox.ensureImage(dockerfile, {});
  const task = sandbox.createTask({
    executionContextDir: contextDir,
    imageTag,
    mounts: [{ hostPath: workspace, containerPath: '/workspace' }],
    env: { FAKE_CLAUDE_SCENARIO: 'success' },
    timeoutSeconds: 600,
    network: 'none',
  });
  const result = await task.execute('Fix the failing tests');
  t.equal(result.outcome, 'success');
  t.match(task.executionContextId, /^[0-9a-f]{12}$/);

  const commandImage = await sandbox.ensureImage(dockerfile, {}, { passthrough: true });
  const command = sandbox.createCommandTask({ executionContextDir: contextDir, imageTag: commandImage, network: 'none' });
  t.not(command.executionContextId, task.executionContextId, 'each task gets its own context id');
  const listed = await command.execute(['sh', '-c', 'echo "$PWD"']);
  t.same([listed.exitCode, listed.stdout], [0, '/workspace\n']);

  const long = sandbox.createCommandTask({ executionContextDir: contextDir, imageTag: commandImage, network: 'none' });
  const running = long.execute(['sh', '-c', 'echo up; exec sleep 600'], {
    onStdout: () => { void sandbox.shutdown(); },
  });
  t.equal((await running).stopped, true, 'shutdown stops running tasks');
  await t.rejects(long.execute(['true']), { code: 'TASK_SANDBOX_SHUT_DOWN' });
  await assertNothingLeft();
});

void t.test('execution context ids are opaque and unique', (t) => {
  const ids = new Set(Array.from({ length: 1000 }, () => newExecutionContextId()));
  t.equal(ids.size, 1000);
  t.end();
});

// The examples in docs/sandbox-library.md, run as another program would: via
// the package's `airut/sandbox` export (the built dist/).
async function runExample(t: Test, file: string, env: Record<string, string>) {
  const entry = fileURLToPath(new URL('../../dist/sandbox/index.js', import.meta.url));
  t.ok(existsSync(entry), `${entry} exists (run \`npm run build\` first)`);
  const cwd = await mkdtemp(join(tmpdir(), 'airut-example-cwd-'));
  t.teardown(async () => {
    const images = await runtime.run(['images', '-q', '--filter', 'label=io.airut.prefix=airut-example']);
    const ids = [...new Set(images.stdout.split('\n').filter(Boolean))];
    if (ids.length > 0) await runtime.call(['rmi', '-f', ...ids]);
    await rm(cwd, { recursive: true, force: true });
  });
  return execa('node', [fileURLToPath(new URL(`../../examples/${file}`, import.meta.url))], {
    cwd,
    env: { CONTAINERS_CONF: testContainersConf(), BASE_IMAGE: TEST_BASE_IMAGE, SANDBOX_NETWORK: 'none', ...env },
    reject: false,
  });
}

void t.test('examples/sandbox-command.js runs as documented', async (t) => {
  const run = await runExample(t, 'sandbox-command.js', {});
  t.equal(run.exitCode, 0, run.stderr);
  t.equal(run.stdout, 'exit 0, stdout: done\nthe container wrote: hello from Linux');
});

void t.test('examples/sandbox-agent.js runs as documented (with the fake claude)', async (t) => {
  const run = await runExample(t, 'sandbox-agent.js', { CLAUDE_BINARY: FAKE_CLAUDE, ANTHROPIC_API_KEY: 'sk-ant-test' });
  t.equal(run.exitCode, 0, run.stderr);
  t.match(run.stdout, /^First answer\.\n(.*\n)*Second answer\.$/, 'the response text is printed');
});
