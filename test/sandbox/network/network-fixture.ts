import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type { Test } from 'tap';
import { allowlistFromObject, type AllowlistDocument } from '../../../src/sandbox/network/allowlist/index.js';
import { NetworkSandbox } from '../../../src/sandbox/network/index.js';
import type { MaskedSecret } from '../../../src/sandbox/network/secrets/index.js';
import type { ProxyEvent } from '../../../src/sandbox/proxy/index.js';
import type { ContainerRuntime } from '../../../src/sandbox/runtime/index.js';
import type { NetworkAttachment } from '../../../src/sandbox/task/network-provider.js';
import { FAKE_UPSTREAM_CA, startFakeUpstream, type FakeUpstream } from '../../harness/fake-upstream/fake-upstream.js';
import { TEST_BASE_IMAGE } from '../../harness/podman.js';

/** A resource prefix no other test run shares. */
export function uniquePrefix(): string {
  return `airut-test-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/** A temp directory removed when the test ends. */
export async function tempDir(t: Test, label: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `airut-test-${label}-`));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * An `--internal` network standing in for the egress side: nothing on it can
 * leave the machine, and only the test's fake upstreams live there.
 */
export async function testEgressNetwork(t: Test, runtime: ContainerRuntime, prefix: string): Promise<string> {
  const name = `${prefix}-test-egress`;
  await runtime.run(['network', 'create', '--internal', '--disable-dns', name]);
  t.teardown(async () => { await runtime.call(['network', 'rm', '-f', name]); });
  return name;
}

/** Per-task containers and networks (`<prefix>-proxy-*`, `<prefix>-net-*`) still around. */
export async function leftovers(runtime: ContainerRuntime, prefix: string): Promise<string[]> {
  const containers = (await runtime.run(['ps', '-a', '--format', '{{.Names}}'])).stdout.split('\n');
  const networks = (await runtime.run(['network', 'ls', '--format', '{{.Name}}'])).stdout.split('\n');
  return [...containers, ...networks].filter((name) => name.startsWith(`${prefix}-proxy-`) || name.startsWith(`${prefix}-net-`));
}

/** Runs `script` with sh in a throw-away task container joined with `args` and `env`. */
export async function runInTask(
  runtime: ContainerRuntime,
  attachment: { containerArgs: string[]; env: Record<string, string> },
  script: string,
  extraArgs: string[] = [],
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const envArgs = Object.entries(attachment.env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  return runtime.call([
    'run', '--rm', '--pull=never',
    // What a task container gets: every capability dropped but a few, none for raw sockets.
    '--cap-drop', 'ALL', '--cap-add', 'CHOWN,DAC_OVERRIDE,FOWNER,SETUID,SETGID',
    '--security-opt', 'no-new-privileges',
    ...attachment.containerArgs, ...envArgs, ...extraArgs,
    TEST_BASE_IMAGE, 'sh', '-c', script,
  ], { timeoutMs: 120_000 });
}

const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
let built: Promise<string> | undefined;

/**
 * Compiles the proxy program (and only what it imports) and its readiness probe into the package's
 * `dist/`, as `npm run build` would, and returns the package root to mount.
 * Once per test process. The compiler writes into a scratch directory; a file
 * of `dist/` is only replaced when its content changed, and then by a rename,
 * so a proxy container of another test file that is importing `dist/` at that
 * moment never reads a half-written module. A lock keeps parallel test files
 * from publishing at once.
 */
export function builtPackageRoot(): Promise<string> {
  built ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'airut-test-tsconfig-'));
    try {
      const config = join(dir, 'tsconfig.json');
      const out = join(dir, 'out');
      await writeFile(config, JSON.stringify({
        extends: join(PACKAGE_ROOT, 'tsconfig.build.json'),
        compilerOptions: { outDir: out, rootDir: join(PACKAGE_ROOT, 'src'), declaration: false, sourceMap: false, noEmitOnError: true, typeRoots: [join(PACKAGE_ROOT, 'node_modules/@types')], types: ['node'] },
        files: [join(PACKAGE_ROOT, 'src/sandbox/proxy/main.ts'), join(PACKAGE_ROOT, 'src/sandbox/proxy/readiness-probe.ts')],
        include: [],
      }));
      await execa(join(PACKAGE_ROOT, 'node_modules/.bin/tsc'), ['-p', config], { cwd: PACKAGE_ROOT });
      // The lock is taken on the build config itself, so no lock file is left behind.
      await execa('flock', [join(PACKAGE_ROOT, 'tsconfig.build.json'), process.execPath, '-e', PUBLISH, out, join(PACKAGE_ROOT, 'dist')]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    return PACKAGE_ROOT;
  })();
  return built;
}

/** Copies each changed file of argv[1] into argv[2] by writing a sibling and renaming it over; an unchanged one is touched. */
const PUBLISH = `
const { readdirSync, readFileSync, writeFileSync, renameSync, mkdirSync, utimesSync } = require('node:fs');
const { join } = require('node:path');
const [from, to] = process.argv.slice(1);
const walk = (rel) => {
  for (const entry of readdirSync(join(from, rel), { withFileTypes: true })) {
    const path = join(rel, entry.name);
    if (entry.isDirectory()) { mkdirSync(join(to, path), { recursive: true }); walk(path); continue; }
    const text = readFileSync(join(from, path));
    let current = null;
    try { current = readFileSync(join(to, path)); } catch {}
    // Unchanged: only its time moves, so the build counts as newer than its sources, as after tsc.
    if (current !== null && current.equals(text)) { const now = new Date(); utimesSync(join(to, path), now, now); continue; }
    const temp = join(to, path) + '.' + process.pid + '.tmp';
    writeFileSync(temp, text);
    renameSync(temp, join(to, path));
  }
};
mkdirSync(to, { recursive: true });
walk('');
`;

/** A task attached to a real network sandbox, with one fake upstream on the test's egress network. */
export interface RealTopology {
  prefix: string;
  egressNetwork: string;
  upstream: FakeUpstream;
  sandbox: NetworkSandbox;
  attachment: NetworkAttachment;
  contextDir: string;
  /** Every event the proxy printed so far. */
  events: ProxyEvent[];
}

/**
 * Sets up the real thing: the built proxy program in the offline proxy image,
 * dual-homed between a task network and an `--internal` test egress network
 * holding one fake upstream that every name in `hosts` maps to. Everything
 * is removed at teardown.
 */
export async function startRealTopology(
  t: Test,
  runtime: ContainerRuntime,
  options: { allowlist: AllowlistDocument; hosts: readonly string[]; maskedSecrets?: MaskedSecret[]; contextId?: string; warmPool?: number },
): Promise<RealTopology> {
  const prefix = uniquePrefix();
  const packageRoot = await builtPackageRoot();
  const egressNetwork = await testEgressNetwork(t, runtime, prefix);
  const upstream = await startFakeUpstream(t, runtime, egressNetwork, `${prefix}-upstream`);
  const contextDir = await tempDir(t, 'context');
  const events: ProxyEvent[] = [];
  const sandbox = new NetworkSandbox({
    runtime,
    resourcePrefix: prefix,
    caDir: await tempDir(t, 'ca'),
    allowlist: allowlistFromObject(options.allowlist, 'test allowlist'),
    maskedSecrets: options.maskedSecrets,
    egressNetwork,
    upstreamHosts: Object.fromEntries(options.hosts.map((host) => [host, upstream.ip])),
    upstreamCaFile: FAKE_UPSTREAM_CA,
    packageRoot,
    tmpDir: await tempDir(t, 'proxy-tmp'),
    onNetworkLine: (event) => { events.push(event); },
    warmPool: options.warmPool,
  });
  const attached: NetworkAttachment[] = [];
  // One teardown, so the release (which a warm pool finishes in the background) comes before close(), which waits for it.
  t.teardown(async () => {
    for (const one of attached) await one.release();
    await sandbox.close();
  });
  const attachment = await sandbox.attach(options.contextId ?? 'ctx', contextDir);
  attached.push(attachment);
  return { prefix, egressNetwork, upstream, sandbox, attachment, contextDir, events };
}
