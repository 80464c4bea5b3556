import t from 'tap';
import { ContainerRuntime, ContainerRuntimeError } from '../../../src/sandbox/runtime/container-runtime.js';
import { TEST_BASE_IMAGE, testRuntime } from '../../harness/podman.js';

void t.test('runs a real container from the test base image', async (t) => {
  const runtime = testRuntime();
  const result = await runtime.run(['run', '--rm', '--network', 'none', TEST_BASE_IMAGE, 'sh', '-c', 'echo hi; echo oops >&2']);
  t.same(result, { exitCode: 0, stdout: 'hi', stderr: 'oops' });
});

void t.test('call returns a failing container\'s exit code and output', async (t) => {
  const runtime = testRuntime();
  const result = await runtime.call(['run', '--rm', '--network', 'none', TEST_BASE_IMAGE, 'sh', '-c', 'echo partial; exit 7']);
  t.same(result, { exitCode: 7, stdout: 'partial', stderr: '' });
});

void t.test('run throws RUNTIME_CALL_FAILED with argv and stderr on a non-zero exit', async (t) => {
  const runtime = testRuntime();
  const args = ['image', 'inspect', 'localhost/airut-test-does-not-exist:none'];
  await t.rejects(runtime.run(args), {
    code: 'RUNTIME_CALL_FAILED',
    argv: ['podman', ...args],
    stderr: /airut-test-does-not-exist/,
  });
});

void t.test('streams a container\'s stdin and stdout through spawn', async (t) => {
  const runtime = testRuntime();
  const child = runtime.spawn(['run', '--rm', '-i', '--network', 'none', TEST_BASE_IMAGE, 'tr', 'a-z', 'A-Z'], { stdin: 'pipe' });
  const chunks: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stdin?.end('shout\n');
  const result = await child;
  t.equal(result.exitCode, 0);
  t.equal(Buffer.concat(chunks).toString(), 'SHOUT\n');
});

void t.test('a missing executable is RUNTIME_NOT_FOUND with an install hint', async (t) => {
  const runtime = new ContainerRuntime({ command: 'airut-no-such-podman' });
  await t.rejects(runtime.call(['--version']), { code: 'RUNTIME_NOT_FOUND', argv: ['airut-no-such-podman', '--version'], hint: /apt-get install/ });
  await t.rejects(runtime.run(['--version']), ContainerRuntimeError);
});

void t.test('the engine kind is judged from the executable name', (t) => {
  t.equal(new ContainerRuntime().kind, 'podman');
  t.equal(new ContainerRuntime({ command: '/usr/bin/docker' }).kind, 'docker');
  t.equal(new ContainerRuntime({ command: '/opt/podman-remote' }).kind, 'podman');
  t.end();
});
