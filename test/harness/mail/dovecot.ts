/**
 * A real IMAP server for tests: Dovecot in the foreground on 127.0.0.1, with a
 * throw-away config, passwd-file users and maildirs under a temp directory.
 */
import { execa, type ResultPromise } from 'execa';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A mailbox account on the test server. */
export interface MailUser {
  username: string;
  password: string;
}

/** A running (or stopped, restartable) Dovecot. */
export interface Dovecot {
  readonly host: '127.0.0.1';
  /** Plain IMAP (STARTTLS offered when started with `tls`). */
  readonly port: number;
  /** Implicit-TLS IMAP, when started with `tls`. */
  readonly tlsPort: number | undefined;
  readonly dir: string;
  /** Stops the server; the mail stays on disk. */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  /** Stops it for good and removes every file. */
  close(): Promise<void>;
}

const DOVECOT = '/usr/sbin/dovecot';

/** PEM files of the server certificate and key. */
export interface DovecotTls {
  certFile: string;
  keyFile: string;
}

/** More of the server's setup. */
export interface DovecotOptions {
  /**
   * Also accept XOAUTH2 and OAUTHBEARER logins, checked by the oauth2 passdb
   * against this RFC 7662 introspection endpoint (see fake-oauth2.ts).
   */
  oauth2IntrospectionUrl?: string;
}

/** Starts Dovecot with `users`. Fails with the command that installs it when it is missing. */
export async function startDovecot(users: readonly MailUser[], tls?: DovecotTls, options: DovecotOptions = {}): Promise<Dovecot> {
  const probe = await execa(DOVECOT, ['--version'], { reject: false });
  if (probe.exitCode !== 0) {
    throw new Error(`Dovecot is not installed: run \`apt-get install -y dovecot-imapd\` (or \`npm run provision\`)`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'airut-dovecot-'));
  // Dovecot drops to `nobody` for mail access, so the mail tree must be writable by it.
  await chmod(dir, 0o755);
  const mailRoot = join(dir, 'mail');
  await mkdir(mailRoot, { mode: 0o777 });
  await chmod(mailRoot, 0o777);
  await mkdir(join(dir, 'run'));
  await mkdir(join(dir, 'state'));
  await writeFile(join(dir, 'passwd'), users.map((u) => `${u.username}:{PLAIN}${u.password}:::::\n`).join(''));
  const port = await freePort();
  const tlsPort = tls === undefined ? undefined : await freePort();
  const conf = join(dir, 'dovecot.conf');
  const oauth2 = options.oauth2IntrospectionUrl === undefined ? undefined : join(dir, 'dovecot-oauth2.conf.ext');
  if (oauth2 !== undefined && options.oauth2IntrospectionUrl !== undefined) {
    await writeFile(oauth2, renderOAuth2Config(options.oauth2IntrospectionUrl));
  }
  await writeFile(conf, renderConfig(dir, mailRoot, port, tls === undefined || tlsPort === undefined ? undefined : { ...tls, port: tlsPort }, oauth2));

  let child: ResultPromise | undefined;
  const start = async (): Promise<void> => {
    const proc = execa(DOVECOT, ['-F', '-c', conf], { reject: false, stdin: 'ignore' });
    child = proc;
    await waitForPort(port, proc);
  };
  const stop = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (proc === undefined) return;
    proc.kill('SIGTERM');
    await proc;
  };
  await start().catch(async (err: unknown) => {
    await stop();
    await rm(dir, { recursive: true, force: true });
    throw err;
  });
  return {
    host: '127.0.0.1',
    port,
    tlsPort,
    dir,
    stop,
    start,
    close: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function renderConfig(dir: string, mailRoot: string, port: number, tls: (DovecotTls & { port: number }) | undefined, oauth2File: string | undefined): string {
  const ssl = tls === undefined
    ? 'ssl = no\n'
    : `ssl = yes\nssl_cert = <${tls.certFile}\nssl_key = <${tls.keyFile}\n`;
  const oauth2 = oauth2File === undefined ? '' : `passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = ${oauth2File}
}
`;
  return `protocols = imap
listen = 127.0.0.1
base_dir = ${join(dir, 'run')}
state_dir = ${join(dir, 'state')}
log_path = ${join(dir, 'dovecot.log')}
info_log_path = ${join(dir, 'dovecot.log')}
${ssl}disable_plaintext_auth = no
auth_mechanisms = plain login${oauth2File === undefined ? '' : ' xoauth2 oauthbearer'}
auth_failure_delay = 0
mail_uid = nobody
mail_gid = nogroup
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:${mailRoot}/%u
shutdown_clients = yes
# IDLE learns of new mail through inotify; when the machine is out of inotify
# instances Dovecot falls back to looking every 30 s, which stalls every test.
mailbox_idle_check_interval = 1 secs
protocol imap {
  # Tests deliver many mails at once, each over its own login (the default allows 10).
  mail_max_userip_connections = 200
}
${oauth2}passdb {
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN ${join(dir, 'passwd')}
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=${mailRoot}/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${tls?.port ?? 0}
    ssl = yes
  }
}
service anvil {
  chroot =
}
service imap-login {
  chroot =
}
`;
}

/** The oauth2 passdb: ask the introspection endpoint (POST token=...) whether the token is active, and for whom. */
function renderOAuth2Config(introspectionUrl: string): string {
  return `introspection_mode = post
introspection_url = ${introspectionUrl}
force_introspection = yes
username_attribute = username
active_attribute = active
active_value = true
`;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

/** Resolves once the port accepts connections; rejects if the process exits first. */
async function waitForPort(port: number, proc: ResultPromise): Promise<void> {
  let exited = false;
  const exit = proc.then((r) => {
    exited = true;
    return r;
  });
  for (let attempt = 0; attempt < 500; attempt += 1) {
    if (exited) {
      const result = await exit;
      throw new Error(`dovecot exited with ${String(result.exitCode)}: ${String(result.stderr)}`);
    }
    if (await canConnect(port)) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    await new Promise<void>((resolve) => { setTimeout(resolve, 10).unref(); });
  }
  throw new Error(`dovecot did not listen on 127.0.0.1:${port}`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => { resolve(false); });
  });
}
