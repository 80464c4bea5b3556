import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { ImageCache } from '../../../src/sandbox/image/index.js';
import { CommandTask, planContainerRun, type TaskOptions } from '../../../src/sandbox/task/index.js';
import { TEST_BASE_IMAGE, testRuntime } from '../../harness/podman.js';
import { testResources } from './test-resources.js';

const runtime = testRuntime();
const { prefix, dir, assertNothingLeft } = await testResources(t, runtime, 'cmd');
const imageTag = await new ImageCache({ runtime, prefix, lockDir: dir, tmpDir: dir, buildNetwork: 'none' })
  .ensureImage(`FROM ${TEST_BASE_IMAGE}\nWORKDIR /workspace\n`, {}, { passthrough: true });

let contexts = 0;
function task(options: Partial<TaskOptions> = {}): CommandTask {
  return new CommandTask({ runtime, prefix, executionContextId: `c${++contexts}`, executionContextDir: dir, imageTag, network: 'none', ...options });
}

void t.test('exit code, stdout and stderr come back; nothing is printed', async (t) => {
  const out: string[] = [];
  const err: string[] = [];
  const result = await task().execute(['sh', '-c', 'echo one; echo two; echo oops >&2; printf tail; exit 7'], {
    onStdout: (l) => out.push(l),
    onStderr: (l) => err.push(l),
  });
  t.equal(result.exitCode, 7);
  t.same(out, ['one\n', 'two\n', 'tail']);
  t.same(err, ['oops\n']);
  t.equal(result.stdout, 'one\ntwo\ntail');
  t.equal(result.stderr, 'oops\n');
  t.equal(result.timedOut, false);
  t.equal(result.stopped, false);
  await assertNothingLeft();
});

void t.test('the container is locked down: capabilities, no-new-privileges, tmpfs /tmp, init', async (t) => {
  const result = await task().execute(['sh', '-c', 'grep -E "^(CapEff|NoNewPrivs)" /proc/self/status; findmnt -no FSTYPE /tmp 2>/dev/null || grep " /tmp " /proc/mounts; cat /proc/1/comm; echo "$IS_SANDBOX"; pwd']);
  const lines = String(result.stdout).trim().split('\n');
  // CHOWN(0) DAC_OVERRIDE(1) FOWNER(3) SETGID(6) SETUID(7) = 0xcb
  t.match(lines[0], /^CapEff:\s+0+cb$/);
  t.match(lines[1], /^NoNewPrivs:\s+1$/);
  t.match(lines[2], /tmpfs/);
  t.match(lines[3], /catatonit|init/);
  t.equal(lines[4], '1');
  t.equal(lines[5], '/workspace');
  await assertNothingLeft();
});

void t.test('mounts, env and resource limits reach the container', async (t) => {
  const host = join(dir, 'shared');
  await mkdir(host);
  await writeFile(join(host, 'in.txt'), 'from host');
  const result = await task({
    mounts: [{ hostPath: host, containerPath: '/workspace' }, { hostPath: join(host, 'in.txt'), containerPath: '/ro.txt', readOnly: true }],
    env: { GREETING: 'hello world', EMPTY: '', PATH: '/usr/local/bin:/usr/bin:/bin:/custom' },
    resourceLimits: { memory: '256m', cpus: 0.5, pidsLimit: 64 },
  }).execute(['sh', '-c', [
    'cat /workspace/in.txt; echo',
    'echo "$GREETING|${EMPTY-unset}|$PATH"',
    'echo written > /workspace/out.txt',
    'echo x > /ro.txt 2>/dev/null && echo writable || echo read-only',
    // cgroup v1 paths on this machine kind; v2 has memory.max and pids.max at the root.
    'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max',
    'cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max',
  ].join('; ')]);
  t.same(String(result.stdout).trim().split('\n'), ['from host', 'hello world||/usr/local/bin:/usr/bin:/bin:/custom', 'read-only', '268435456', '64']);
  t.equal(await readFile(join(host, 'out.txt'), 'utf8'), 'written\n', 'the write appears on the host');
  await assertNothingLeft();
});

void t.test('the entrypoint trusts a mounted Airut CA, quietly', async (t) => {
  const ca = fileURLToPath(new URL('../../fixtures/tls/upstream-ca.pem', import.meta.url));
  const mounts = [{ hostPath: ca, containerPath: '/usr/local/share/ca-certificates/airut-ca.crt', readOnly: true }];
  const check = ['sh', '-c', 'grep -c "BEGIN CERTIFICATE" /etc/ssl/certs/ca-certificates.crt; ls /etc/ssl/certs/airut-ca.pem'];
  const without = await task().execute(check);
  const trusted = await task({ mounts }).execute(check);
  t.equal(trusted.exitCode, 0, trusted.stderr);
  const [before] = String(without.stdout).split('\n');
  const [after, link] = String(trusted.stdout).split('\n');
  t.equal(Number(after), Number(before) + 1, 'the bundle gained one certificate');
  t.equal(link, '/etc/ssl/certs/airut-ca.pem');
  t.equal(trusted.stderr, '', 'update-ca-certificates output is hidden');
  const verbose = await task({ mounts, env: { AIRUT_VERBOSE: '1' } }).execute(['true']);
  t.match(verbose.stderr, /Updating certificates/, 'AIRUT_VERBOSE=1 shows it on stderr');
  t.equal(verbose.stdout, '', 'never on stdout');
  await assertNothingLeft();
});

void t.test('a network created --internal by the test can be named', async (t) => {
  const network = `${prefix}-net-${randomBytes(2).toString('hex')}`;
  await runtime.run(['network', 'create', '--internal', network]);
  t.teardown(() => runtime.call(['network', 'rm', '-f', network]));
  const result = await task({ network }).execute(['sh', '-c', 'ip -4 -o addr show | grep -v " lo " | wc -l']);
  t.equal(String(result.stdout).trim(), '1', 'one interface besides lo');
  await runtime.run(['network', 'rm', network]);
  await assertNothingLeft();
});

void t.test('timeout keeps partial output and removes the container', async (t) => {
  const result = await task({ timeoutSeconds: 10 }).execute(['sh', '-c', 'echo before; exec sleep 600']);
  t.equal(result.timedOut, true);
  t.equal(result.stdout, 'before\n');
  t.not(result.exitCode, 0);
  await assertNothingLeft();
});

void t.test('stop() from outside ends a running command', async (t) => {
  const running = task();
  const result = await running.execute(['sh', '-c', 'echo started; exec sleep 600'], {
    onStdout: () => { running.stop(); },
  });
  t.equal(result.stopped, true);
  t.equal(result.stdout, 'started\n');
  await assertNothingLeft();
});

void t.test('a throwing callback ends the run and removes the container', async (t) => {
  await t.rejects(task().execute(['sh', '-c', 'echo hi; exec sleep 600'], {
    onStdout: () => { throw new Error('callback broke'); },
  }), { message: 'callback broke' });
  await assertNothingLeft();
});

void t.test('a second execute while one runs is refused', async (t) => {
  const busy = task();
  const refused: Promise<unknown>[] = [];
  await busy.execute(['sh', '-c', 'echo go; exec sleep 600'], {
    onStdout: () => {
      refused.push(t.rejects(busy.execute(['true']), { code: 'TASK_ALREADY_RUNNING' }));
      busy.stop();
    },
  });
  t.equal(refused.length, 1);
  await Promise.all(refused);
  await assertNothingLeft();
});

void t.test('planContainerRun is pure data: values stay off the command line', (t) => {
  const plan = planContainerRun({
    image: 'img:1', command: ['true'], name: 'p-c-1', owner: { prefix: 'p', contextId: 'c', ownerPid: 42 },
    mounts: [{ hostPath: '/a', containerPath: '/b', readOnly: true }], env: { SECRET: 's3cr3t' },
    limits: { memory: '2g', cpus: 1.5, pidsLimit: 100 }, networkArgs: ['--network', 'none'], stdin: true,
  });
  t.same(plan.env, { SECRET: 's3cr3t' });
  t.ok(plan.argv.includes('--http-proxy=false'), 'host proxy settings stay out');
  const withPath = planContainerRun({ ...base(), env: { PATH: '/x', HOME: '/h' } });
  t.same(withPath.env, {}, 'variables the engine client reads are not put in its environment');
  t.ok(withPath.argv.includes('PATH=/x') && withPath.argv.includes('HOME=/h'));
  t.notOk(planContainerRun({ ...base(), engine: 'docker' }).argv.includes('--http-proxy=false'), 'docker has no --http-proxy');
  t.notOk(plan.argv.some((a) => a.includes('s3cr3t')), 'the secret is not in argv');
  t.same(plan.argv.slice(0, 4), ['run', '--rm', '--init', '-i']);
  t.same(plan.argv.slice(-3), ['none', 'img:1', 'true']);
  t.ok(plan.argv.join(' ').includes('--memory 2g --memory-swap 2g --cpus 1.5 --pids-limit 100'));
  t.ok(plan.argv.includes('io.airut.owner-pid=42'));
  t.throws(() => planContainerRun({ ...base(), mounts: [{ hostPath: 'rel', containerPath: '/x' }] }), { code: 'TASK_MOUNT_INVALID' });
  t.throws(() => planContainerRun({ ...base(), mounts: [{ hostPath: '/a:b', containerPath: '/x' }] }), { code: 'TASK_MOUNT_INVALID' });
  t.throws(() => planContainerRun({ ...base(), env: { 'BAD-NAME': 'x' } }), { code: 'TASK_ENV_INVALID' });
  t.end();
});

function base(): Parameters<typeof planContainerRun>[0] {
  return { image: 'i', command: [], name: 'n', owner: { prefix: 'p' }, mounts: [], env: {}, limits: {}, networkArgs: [], stdin: false };
}
