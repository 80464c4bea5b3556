import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import t from 'tap';
import { BIN } from '../harness/cli.js';
import { execFixture, internalEgressNetwork, leftoversOf } from '../core/run/exec-fixture.js';
import { testRuntime } from '../harness/podman.js';

// A host where podman cannot start any container (here: its default ulimits
// cannot be set, as on this machine without the containers.conf that
// `airut check` recommends). The run fails at its first container, the
// proxy, and must say what `airut check` says, not blame Airut's files.
const runtime = testRuntime();
const egress = await internalEgressNetwork(t, runtime);

void t.test('sandbox exec on a host whose engine cannot start containers prints check\'s diagnosis and fix', async (t) => {
  const fx = await execFixture(t);
  // netavark stays, so the network checks pass and the first container start is what fails.
  const conf = join(t.testdir({}), 'containers.conf');
  await writeFile(conf, '[network]\nnetwork_backend = "netavark"\n[engine]\nevents_logger = "file"\n');
  const child = execa(process.execPath, [BIN, 'sandbox', 'exec', '--egress-network', egress, '--', 'true'], {
    cwd: fx.repo,
    env: { PATH: process.env.PATH ?? '', ...fx.env, CONTAINERS_CONF: conf },
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
  });
  const result = await child;
  t.equal(result.exitCode, 125, result.stderr);
  t.match(result.stderr, /\nCause: the container engine cannot start containers on this host: [^\n]*(default ulimits cannot be set|cgroups)/);
  for (const line of ['default_ulimits = [ "nofile=1024:1024", "nproc=1024:1024" ]', 'runtime = "runc"', 'cgroup_manager = "cgroupfs"']) {
    t.ok(result.stderr.includes(`  ${line}\n`), `the fix has ${line}`);
  }
  t.match(result.stderr, /set CONTAINERS_CONF to that path/);
  t.notMatch(result.stderr, /npm run build|runs node/, 'no hint about Airut\'s own files');
  t.notMatch(result.stderr, /\bat .*\.js:\d+/, 'no stack trace');
  t.same(await leftoversOf(runtime, child.pid), [], 'nothing of the run is left');
});
