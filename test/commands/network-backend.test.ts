import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { airut, airutBackground, waitForLine } from '../harness/cli.js';
import { testContainersConf, testRuntime } from '../harness/podman.js';
import { execFixture, filesIn, leftoversOf } from '../core/run/exec-fixture.js';

// Podman switched to CNI (what a Debian podman installed without netavark
// runs on): the network sandbox refuses to start, with the same message and
// fix as `airut check`, before it creates anything.
const runtime = testRuntime();

async function cniConf(dir: string): Promise<string> {
  const text = await readFile(testContainersConf(), 'utf8');
  const conf = join(dir, 'containers-cni.conf');
  await writeFile(conf, text.replace(/network_backend = "netavark"/, 'network_backend = "cni"'));
  return conf;
}

void t.test('sandbox exec on CNI exits 125 with the netavark fix and leaves nothing behind', async (t) => {
  const fx = await execFixture(t);
  const conf = await cniConf(fx.tmp);
  const result = await fx.run(['sandbox', 'exec', '--', 'true'], { env: { CONTAINERS_CONF: conf } });
  t.equal(result.exitCode, 125, result.stderr);
  t.match(result.stderr, /network backend is cni; Airut's sandbox networks need netavark/);
  t.match(result.stderr, /apt-get install -y netavark aardvark-dns/);
  t.match(result.stderr, /network_backend = "netavark"/);
  t.notMatch(result.stderr, /airut: running/, 'the command never ran');
  t.same(await leftoversOf(runtime, result.pid), [], 'no container or network of the run is left');
  t.same((await filesIn(fx.tmp)).filter((f) => !f.endsWith('containers-cni.conf')), [], 'no temp file is left');

  const check = await airut(['check', '--json'], { ...fx.env, CONTAINERS_CONF: conf });
  const report = JSON.parse(check.stdout) as { sections: { name: string; checks: { name: string; ok: boolean; detail: string; fix?: string }[] }[] };
  const backend = report.sections.flatMap((s) => s.checks).find((c) => c.name === 'Network backend');
  t.match(backend, { ok: false, detail: /network backend is cni; Airut's sandbox networks need netavark/, fix: /apt-get install -y netavark aardvark-dns/ }, 'check says the same');
});

void t.test('serve on CNI: a repo behind the network sandbox fails at start, naming the backend and the fix; the service stays up', async (t) => {
  const fx = await execFixture(t, { git: true });
  const conf = await cniConf(fx.tmp);
  const dir = join(fx.env.XDG_CONFIG_HOME ?? '', 'airut');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'airut.yaml'), [
    'repos:',
    '  demo:',
    `    repo_url: ${fx.repo}`,
    '    email:',
    '      imap_server: 127.0.0.1',
    '      imap_port: 9',
    '      smtp_server: 127.0.0.1',
    '      smtp_port: 9',
    '      username: airut@example.com',
    '      password: secret',
    '      from: Airut <airut@example.com>',
    '      authorized_senders: [you@example.com]',
    '      trusted_authserv_id: mx.example.com',
    '',
  ].join('\n'));
  // serve stays up when its repos fail (to be fixed from the dashboard), so it
  // runs in the background until the failure is seen, then is stopped.
  const child = airutBackground(['serve', '--dashboard-port', '0'], { ...fx.env, CONTAINERS_CONF: conf });
  t.teardown(async () => {
    child.kill('SIGKILL');
    await child;
  });
  let printed = '';
  child.stdout?.on('data', (chunk: Buffer) => { printed += chunk.toString('utf8'); });
  const line = async (pattern: RegExp): Promise<RegExpMatchArray> => pattern.exec(printed) ?? waitForLine(child, pattern);
  const [, url] = await line(/dashboard listening url=(\S+)/) as [string, string];
  const [failure] = await line(/demo.*network backend is cni; Airut's sandbox networks need netavark/);
  t.ok(failure, 'the log names the repo and the backend');
  const response = await fetch(`${url}/api/health`);
  const health = await response.json() as { status: string; problems: { repo?: string; reason: string }[] };
  t.equal(response.status, 503, 'nothing configured works');
  t.equal(health.status, 'error');
  t.match(health.problems, [{ repo: 'demo', reason: /network backend is cni; Airut's sandbox networks need netavark/ }], 'health names the repo and why');
  child.kill('SIGTERM');
  const result = await child;
  t.equal(result.exitCode, 0, 'SIGTERM stops it cleanly');
});
