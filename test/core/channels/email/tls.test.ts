import t from 'tap';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ALICE, GATEWAY, provider, startChannel } from './mail-fixture.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../../../fixtures/tls/${name}`, import.meta.url));
const SERVER = { certFile: fixture('upstream-server.pem'), keyFile: fixture('upstream-server.key') };
const CA = readFileSync(fixture('upstream-ca.pem'));

t.test('IMAP over implicit TLS and SMTP with STARTTLS, verified against the CA', async (t) => {
  const p = await provider(t, SERVER);
  const probe = await startChannel(t, p, {
    config: { imap_security: 'tls', imap_port: p.dovecot.tlsPort ?? 0, smtp_security: 'starttls' },
    extra: { tls: { ca: CA } },
  });
  t.equal(probe.channel.state().state, 'idle');
  const next = probe.nextMessage();
  await p.send(ALICE, { to: GATEWAY.address, subject: 'over tls', text: 'hello' });
  const message = await next;
  await probe.channel.reply(message, 'dddd4444', { kind: 'result', markdown: 'secure', attachments: [] });
  const [reply] = await p.waitFor(ALICE.address, (m) => m.length === 1);
  t.equal(reply?.parsed.subject, 'Re: [ID:dddd4444] over tls');
});

t.test('IMAP with STARTTLS', async (t) => {
  const p = await provider(t, SERVER);
  const probe = await startChannel(t, p, { config: { imap_security: 'starttls' }, extra: { tls: { ca: CA } } });
  t.equal(probe.channel.state().state, 'idle');
});

t.test('a server certificate nobody vouches for is refused and the channel keeps retrying', async (t) => {
  const p = await provider(t, SERVER);
  const probe = await startChannel(t, p, { config: { imap_security: 'tls', imap_port: p.dovecot.tlsPort ?? 0 } });
  const state = probe.channel.state();
  t.equal(state.state, 'backoff');
  t.match(state.lastError, /certificate/i);
});
