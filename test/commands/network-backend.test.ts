import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { airut } from '../harness/cli.js';
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

void t.test('serve on CNI: a repo behind the network sandbox fails at start, naming the backend and the fix', async (t) => {
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
  const result = await airut(['serve', '--dashboard-port', '0'], { ...fx.env, CONTAINERS_CONF: conf });
  t.not(result.exitCode, 0, 'no repo could start');
  t.match(`${result.stdout}\n${result.stderr}`, /demo.*network backend is cni; Airut's sandbox networks need netavark/);
});
