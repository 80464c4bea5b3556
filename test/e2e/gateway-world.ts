/**
 * One whole-product world for gateway scenarios: the test mail provider
 * (Dovecot + SMTP MTA), a local upstream git repo with the sandbox files, an
 * `--internal` egress network, and `airut serve` run as a user runs it, with
 * real podman, the network sandbox and the fake claude.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ResultPromise } from 'execa';
import { simpleParser, type ParsedMail } from 'mailparser';
import { createTransport } from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import type { Test } from 'tap';
import { stringify } from 'yaml';
import { airutBackground, tempHome, waitForLine } from '../harness/cli.js';
import { startMailProvider, type MailProvider, type ProviderUser } from '../harness/mail/mail-provider.js';
import { removeOwnedBy, TEST_BASE_IMAGE, testContainersConf, testRuntime } from '../harness/podman.js';
import { upstreamRepo } from '../core/gateway/fakes.js';

export const AUTHSERV_ID = 'mx.provider.test';
export const GATEWAY: ProviderUser = { address: 'airut@corp.test', password: 'gateway-pw' };
export const ALICE: ProviderUser = { address: 'alice@corp.test', password: 'alice-pw' };

const FAKE_CLAUDE = join(import.meta.dirname, '..', 'harness', 'fake-claude', 'claude');
const ROOT = join(import.meta.dirname, '..', '..');

/** A running `airut serve` and what it runs against. */
export interface GatewayWorld {
  provider: MailProvider;
  stateDir: string;
  /** The current `airut serve` process. */
  readonly child: ResultPromise;
  /** Starts a new `airut serve` (after the test ended the current one), fake claude running `scenario`. */
  restart(scenario: string): Promise<void>;
  /** Everything the current service printed so far. */
  output(): string;
  /** Resolves with the first line (from now on or already printed) matching `pattern`. */
  line(pattern: RegExp): Promise<RegExpMatchArray>;
  /** Resolves once the current service has printed `count` lines matching `pattern`. */
  lines(pattern: RegExp, count: number): Promise<string[]>;
  /** A conversation's directory in the service's state. */
  conversationDir(id: string): string;
  /**
   * With `relay`: called for every mail the service sends, once when the
   * relay has received it (`received`, not yet delivered) and once when the
   * provider has delivered it (`accepted`, before the service is told). A
   * hook that kills the service there hits that exact point of sending.
   * Returning `drop` at `received` refuses the mail instead of delivering it.
   */
  smtpHook: ((phase: 'received' | 'accepted', mail: ParsedMail) => 'drop' | undefined) | undefined;
  /** The upstream repository (`repo_url`). */
  repoUrl: string;
}

/** Options of {@link startGatewayWorld}. */
export interface WorldOptions {
  /** `FAKE_CLAUDE_SCENARIO` of every run. */
  scenario: string;
  shutdownTimeout?: number;
  maxConcurrent?: number;
  /** Serve the dashboard on a free loopback port (its URL is in the `dashboard listening url=` line). Default off. */
  dashboard?: boolean;
  /** Wait for mail with IMAP IDLE (the default) rather than polling. */
  idle?: boolean;
  /** Send the service's mail through an SMTP relay in this process that calls {@link GatewayWorld.smtpHook}. */
  relay?: boolean;
  /** Directories put before PATH for the service (fake executables such as git). */
  pathPrefix?: string[];
  /** `repos.e2e.schedules`. */
  schedules?: Record<string, unknown>;
  /** More arguments of `airut serve` (test hooks such as `--schedule-clock-file`). */
  serveArgs?: string[];
  /**
   * Called with the egress network before the service starts (to start fake
   * upstreams on it); what it returns is added to the config's `network:`
   * (e.g. `upstream_hosts`, `upstream_ca_file`).
   */
  egress?: (network: string) => Promise<Record<string, unknown>>;
}

/**
 * An SMTP relay between the service and the provider: it forwards each mail
 * unchanged and lets the test act at the moments around the delivery.
 */
async function startRelay(providerPort: number, hook: () => GatewayWorld['smtpHook']): Promise<{ port: number; close: () => Promise<void> }> {
  const forward = createTransport({ host: '127.0.0.1', port: providerPort, secure: false, ignoreTLS: true });
  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    // The provider behind it checks what matters; the relay takes the service's login as it comes.
    onAuth(auth, _session, callback) { callback(null, { user: auth.username ?? '' }); },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        const envelope = {
          from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((r) => r.address),
        };
        void (async () => {
          const parsed = await simpleParser(raw);
          if (hook()?.('received', parsed) === 'drop') throw new Error('refused by the test');
          await forward.sendMail({ envelope, raw });
          hook()?.('accepted', parsed);
        })().then(() => { callback(); }, (err: Error) => { callback(err); });
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  return {
    port: address !== null && typeof address === 'object' ? address.port : 0,
    close: async () => {
      forward.close();
      await new Promise<void>((resolve) => { server.close(() => { resolve(); }); });
    },
  };
}

/** Resolves once `path` exists (a file the fake claude writes from inside its container). */
export async function waitForFile(path: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > deadline) throw new Error(`${path} did not appear within ${timeoutMs} ms`);
    // The file is written inside a container, where no host watcher reaches reliably: look again shortly.
    await new Promise<void>((resolve) => { setTimeout(resolve, 50); });
  }
}

/** Starts everything for `t`; all of it is removed at teardown. */
export async function startGatewayWorld(t: Test, options: WorldOptions): Promise<GatewayWorld> {
  if (!existsSync(join(ROOT, 'dist', 'sandbox', 'proxy', 'main.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first');
  }
  const runtime = testRuntime();
  const containersConf = testContainersConf();
  if ((await runtime.call(['image', 'exists', TEST_BASE_IMAGE])).exitCode !== 0) {
    throw new Error(`${TEST_BASE_IMAGE} is missing: run \`npm run provision\``);
  }
  const { home, env, cleanup } = await tempHome();
  t.teardown(cleanup);
  const egress = `airut-e2e-egress-${process.pid}-${Math.random().toString(16).slice(2, 8)}`;
  await runtime.run(['network', 'create', '--internal', '--disable-dns', egress]);
  t.teardown(async () => { await runtime.call(['network', 'rm', '-f', egress]); });

  const egressConfig = options.egress === undefined ? {} : await options.egress(egress);

  const provider = await startMailProvider({ authservId: AUTHSERV_ID, users: [GATEWAY, ALICE] });
  t.teardown(() => provider.close());
  let smtpHook: GatewayWorld['smtpHook'];
  const relay = options.relay === true ? await startRelay(provider.smtpPort, () => smtpHook) : undefined;
  if (relay !== undefined) t.teardown(relay.close);
  const repoUrl = await upstreamRepo(home, {
    '.airut/network-allowlist.yaml': 'domains:\n  - api.anthropic.com\nurl_prefixes: []\n',
    '.airut/container/Dockerfile': `FROM ${TEST_BASE_IMAGE}\n`,
  });

  const configFor = (scenario: string) => ({
    dashboard: { enabled: options.dashboard ?? false },
    execution: {
      max_concurrent: options.maxConcurrent ?? 2,
      shutdown_timeout: options.shutdownTimeout ?? 60,
      container_env: { CONTAINERS_CONF: containersConf },
      claude_binary: FAKE_CLAUDE,
    },
    network: { egress_network: egress, upstream_dns: '127.0.0.1', ...egressConfig },
    repos: {
      e2e: {
        repo_url: repoUrl,
        model: 'sonnet',
        secrets: { FAKE_CLAUDE_SCENARIO: scenario },
        network: { sandbox_enabled: true },
        ...(options.schedules === undefined ? {} : { schedules: options.schedules }),
        email: {
          imap_server: '127.0.0.1',
          imap_port: provider.dovecot.port,
          imap_security: 'none',
          // With IDLE, long enough that a lost push shows as a stall rather than being covered by a scan.
          poll_interval: (options.idle ?? true) ? 60 : 0.2,
          use_imap_idle: options.idle ?? true,
          smtp_server: '127.0.0.1',
          smtp_port: relay?.port ?? provider.smtpPort,
          smtp_security: 'none',
          username: GATEWAY.address,
          password: GATEWAY.password,
          from: `Airut <${GATEWAY.address}>`,
          authorized_senders: [ALICE.address],
          trusted_authserv_id: AUTHSERV_ID,
        },
      },
    },
  });
  const configFile = join(env.XDG_CONFIG_HOME, 'airut', 'airut.yaml');
  await mkdir(join(env.XDG_CONFIG_HOME, 'airut'), { recursive: true });

  let child: ResultPromise | undefined;
  let printed = '';
  const start = async (scenario: string): Promise<void> => {
    await writeFile(configFile, stringify(configFor(scenario)));
    printed = '';
    const path = [...(options.pathPrefix ?? []), process.env.PATH ?? ''].join(':');
    const started = airutBackground(['serve', ...(options.dashboard ? ['--dashboard-port', '0'] : []), ...(options.serveArgs ?? [])], { ...env, PATH: path });
    child = started;
    started.stdout?.on('data', (chunk: Buffer) => { printed += chunk.toString('utf8'); });
    t.teardown(async () => {
      started.kill('SIGKILL');
      await started;
      await removeOwnedBy(runtime, started.pid);
    });
    await waitForLine(started, /service ready/);
  };
  t.teardown(async () => {
    // A killed service leaves its tasks' containers; remove those on this test's networks.
    for (const network of [egress]) {
      const listed = await runtime.call(['ps', '-aq', '--filter', `network=${network}`]);
      for (const id of listed.stdout.split('\n').filter(Boolean)) await runtime.call(['rm', '-f', '-t', '0', id]);
    }
  });
  await start(options.scenario);
  return {
    provider,
    stateDir: join(env.XDG_STATE_HOME, 'airut', 'e2e'),
    get child() {
      if (child === undefined) throw new Error('not started');
      return child;
    },
    restart: start,
    output: () => printed,
    line: async (pattern) => pattern.exec(printed) ?? waitForLine(child as ResultPromise, pattern),
    lines: (pattern, count) => new Promise((resolve, reject) => {
      const current = child as ResultPromise;
      const matching = (): string[] => printed.split('\n').filter((l) => pattern.test(l));
      const check = (): void => {
        const found = matching();
        if (found.length < count) return;
        current.stdout?.off('data', check);
        resolve(found);
      };
      // Registered after the printer above, so `printed` already holds the chunk.
      current.stdout?.on('data', check);
      void current.then(() => { reject(new Error(`serve exited with ${matching().length} of ${count} lines matching ${String(pattern)}`)); });
      check();
    }),
    conversationDir: (id) => join(env.XDG_STATE_HOME, 'airut', 'e2e', 'conversations', id),
    repoUrl,
    get smtpHook() { return smtpHook; },
    set smtpHook(hook) { smtpHook = hook; },
  };
}
