/**
 * The test mail provider: Dovecot holds every mailbox; an in-process SMTP
 * server plays the provider's MTA. It checks DKIM, SPF and DMARC of each
 * incoming message with mailauth against the stub DNS, prepends its own
 * `Authentication-Results: <authserv-id>; ...` and appends the message to the
 * recipient's INBOX over IMAP. Helpers send as a user (DKIM-signed by
 * nodemailer) and wait for mail in a mailbox.
 */
import { ImapFlow } from 'imapflow';
import { authenticate } from 'mailauth';
import { simpleParser, type ParsedMail } from 'mailparser';
import { createTransport } from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { SMTPServer } from 'smtp-server';
import { readFileSync } from 'node:fs';
import { startDovecot, type Dovecot, type DovecotTls } from './dovecot.js';
import { createTestDomain, stubResolver, type TestDomain } from './dns-zone.js';

/** A mailbox owner: address doubles as IMAP login. */
export interface ProviderUser {
  address: string;
  password: string;
}

/** A message found in a mailbox. */
export interface StoredMail {
  uid: number;
  raw: Buffer;
  parsed: ParsedMail;
  flags: Set<string>;
}

/** A message the MTA put into a mailbox, stamped when the append finished. */
export interface Delivery {
  /** Recipient address (envelope). */
  rcpt: string;
  /** `Date.now()` right after the message was in the mailbox. */
  at: number;
  messageId: string | undefined;
  inReplyTo: string | undefined;
  subject: string | undefined;
}

/** Options of {@link startMailProvider}. */
export interface MailProviderOptions {
  authservId: string;
  users: readonly ProviderUser[];
  /** Domains with DKIM keys; created for every user's domain when not given. */
  domains?: readonly TestDomain[];
  /** Serve IMAP over TLS (implicit and STARTTLS) and offer SMTP STARTTLS with this certificate. */
  tls?: DovecotTls;
  /** Also accept XOAUTH2 logins: IMAP through Dovecot's oauth2 passdb, SMTP through `verify`. */
  oauth2?: { introspectionUrl: string; verify: (user: string, token: string) => boolean };
}

/** The running provider. */
export interface MailProvider {
  readonly authservId: string;
  readonly dovecot: Dovecot;
  readonly smtpPort: number;
  readonly domains: ReadonlyMap<string, TestDomain>;
  readonly resolver: (name: string, rrtype: string) => Promise<string[][]>;
  /** Sends a mail as `from` through the provider's SMTP, DKIM-signed with the domain's key unless `sign` is false. */
  send(from: ProviderUser, mail: Mail.Options, options?: { sign?: boolean; signAs?: string }): Promise<void>;
  /** Appends `raw` to `address`'s INBOX exactly as given (for hand-made, forged headers). */
  inject(address: string, raw: string | Buffer): Promise<void>;
  /** Every message in `address`'s INBOX not flagged deleted. */
  list(address: string): Promise<StoredMail[]>;
  /** Every message delivered through the SMTP front so far, in order. */
  readonly deliveries: readonly Delivery[];
  /** Resolves with the first delivery (so far or to come) matching `predicate`; rejects after `timeoutMs`. */
  waitForDelivery(predicate: (delivery: Delivery) => boolean, timeoutMs?: number): Promise<Delivery>;
  /** Waits (bounded) until `predicate` holds for the mailbox listing, and returns that listing. */
  waitFor(address: string, predicate: (mails: StoredMail[]) => boolean, timeoutMs?: number): Promise<StoredMail[]>;
  close(): Promise<void>;
}

/** Starts Dovecot and the SMTP front. */
export async function startMailProvider(options: MailProviderOptions): Promise<MailProvider> {
  const byAddress = new Map(options.users.map((u) => [u.address.toLowerCase(), u]));
  const domains = new Map<string, TestDomain>();
  for (const d of options.domains ?? []) domains.set(d.domain, d);
  for (const u of options.users) {
    const domain = u.address.split('@')[1] ?? '';
    if (!domains.has(domain)) domains.set(domain, createTestDomain(domain));
  }
  const resolver = stubResolver([...domains.values()]);
  const { oauth2 } = options;
  const dovecot = await startDovecot(
    options.users.map((u) => ({ username: u.address, password: u.password })),
    options.tls,
    oauth2 === undefined ? {} : { oauth2IntrospectionUrl: oauth2.introspectionUrl },
  );

  const append = async (address: string, raw: string | Buffer): Promise<void> => {
    const user = byAddress.get(mailboxOf(address));
    if (user === undefined) throw new Error(`no mailbox for ${address}`);
    const client = imapClient(dovecot, user);
    await client.connect();
    try {
      await client.append('INBOX', raw);
    } finally {
      await client.logout();
    }
  };

  const deliveries: Delivery[] = [];
  const deliveryWaiters = new Set<(delivery: Delivery) => void>();
  const recordDelivery = async (rcpt: string, raw: Buffer): Promise<void> => {
    const at = Date.now();
    const parsed = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true });
    const delivery: Delivery = { rcpt: rcpt.toLowerCase(), at, messageId: parsed.messageId, inReplyTo: parsed.inReplyTo, subject: parsed.subject };
    deliveries.push(delivery);
    for (const waiter of [...deliveryWaiters]) waiter(delivery);
  };

  const smtp = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    ...(options.tls === undefined
      ? { disabledCommands: ['STARTTLS'] }
      : { cert: readFileSync(options.tls.certFile), key: readFileSync(options.tls.keyFile) }),
    logger: false,
    ...(oauth2 === undefined ? {} : { authMethods: ['PLAIN', 'LOGIN', 'XOAUTH2'] }),
    onAuth(auth, _session, callback) {
      if (auth.method === 'XOAUTH2') {
        const username = auth.username ?? '';
        if (oauth2?.verify(username, auth.accessToken ?? '') === true) callback(null, { user: username });
        // The XOAUTH2 failure answer: a JSON challenge, then 535 once the client gives up.
        else callback(null, { data: { status: '401', schemes: 'bearer', scope: 'https://outlook.office365.com/.default' } });
        return;
      }
      const user = byAddress.get((auth.username ?? '').toLowerCase());
      if (user !== undefined && user.password === auth.password) callback(null, { user: user.address });
      else callback(new Error('invalid credentials'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        const mailFrom = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address;
        authenticate(raw, { resolver, ip: '127.0.0.1', helo: 'localhost', sender: mailFrom, mta: options.authservId, disableArc: true, disableBimi: true })
          .then(async (result) => {
            const stamped = Buffer.concat([Buffer.from(result.headers), raw]);
            for (const rcpt of session.envelope.rcptTo) {
              await append(rcpt.address, stamped);
              await recordDelivery(rcpt.address, stamped);
            }
          })
          .then(() => { callback(); }, (err: Error) => { callback(err); });
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const address = smtp.server.address();
  const smtpPort = address !== null && typeof address === 'object' ? address.port : 0;

  const list = async (mailbox: string): Promise<StoredMail[]> => {
    const user = byAddress.get(mailbox.toLowerCase());
    if (user === undefined) throw new Error(`no mailbox for ${mailbox}`);
    const client = imapClient(dovecot, user);
    await client.connect();
    try {
      const lock = await client.getMailboxLock('INBOX');
      try {
        const found: StoredMail[] = [];
        const uids = (await client.search({ deleted: false }, { uid: true })) || [];
        for (const uid of uids) {
          const msg = await client.fetchOne(String(uid), { source: true, flags: true }, { uid: true });
          if (msg === false || msg.source === undefined) continue;
          found.push({ uid, raw: msg.source, parsed: await simpleParser(msg.source), flags: msg.flags ?? new Set() });
        }
        return found;
      } finally {
        lock.release();
      }
    } finally {
      await client.logout();
    }
  };

  return {
    authservId: options.authservId,
    dovecot,
    smtpPort,
    domains,
    resolver,
    async send(from, mail, sendOptions = {}) {
      const domainName = sendOptions.signAs ?? from.address.split('@')[1] ?? '';
      const key = domains.get(domainName);
      const transport = createTransport({
        host: '127.0.0.1',
        port: smtpPort,
        secure: false,
        ignoreTLS: true,
        auth: { user: from.address, pass: from.password },
        ...(sendOptions.sign === false || key === undefined ? {} : { dkim: { domainName, keySelector: key.selector, privateKey: key.privateKey } }),
      });
      try {
        await transport.sendMail({ from: from.address, ...mail });
      } finally {
        transport.close();
      }
    },
    inject: append,
    list,
    deliveries,
    waitForDelivery(predicate, timeoutMs = 20_000) {
      const found = deliveries.find(predicate);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          deliveryWaiters.delete(waiter);
          reject(new Error(`no matching delivery within ${timeoutMs} ms (${deliveries.length} so far)`));
        }, timeoutMs);
        const waiter = (delivery: Delivery): void => {
          if (!predicate(delivery)) return;
          clearTimeout(timer);
          deliveryWaiters.delete(waiter);
          resolve(delivery);
        };
        deliveryWaiters.add(waiter);
      });
    },
    async waitFor(mailbox, predicate, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const mails = await list(mailbox);
        if (predicate(mails)) return mails;
        if (Date.now() > deadline) {
          throw new Error(`timed out waiting for ${mailbox}; it holds ${mails.length} mail(s): ${mails.map((m) => m.parsed.subject ?? '').join(' | ')}`);
        }
        // Bounded polling: each IMAP listing takes a few milliseconds; the deadline ends the loop.
        await new Promise<void>((resolve) => { setTimeout(resolve, 50); });
      }
    },
    async close() {
      await new Promise<void>((resolve) => { smtp.close(() => { resolve(); }); });
      await dovecot.close();
    },
  };
}

/** `airut+opus@corp.test` is delivered to `airut@corp.test`. */
function mailboxOf(address: string): string {
  return address.toLowerCase().replace(/\+[^@]*@/, '@');
}

function imapClient(dovecot: Dovecot, user: ProviderUser): ImapFlow {
  return new ImapFlow({
    host: dovecot.host,
    port: dovecot.port,
    secure: false,
    doSTARTTLS: false,
    auth: { user: user.address, pass: user.password },
    logger: false,
    disableAutoIdle: true,
  });
}
