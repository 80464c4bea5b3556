import t from 'tap';
import type { Test } from 'tap';
import type { MailProvider } from '../../../harness/mail/mail-provider.js';
import { ALICE, AUTHSERV_ID, BOB, GATEWAY, MALLORY, provider, startChannel, type ChannelProbe } from './mail-fixture.js';

/** Sends a good mail from Alice and checks it is the only one ever handed over. */
async function onlyAliceGetsThrough(t: Test, p: MailProvider, probe: ChannelProbe): Promise<void> {
  const next = probe.nextMessage();
  await p.send(ALICE, { to: GATEWAY.address, subject: 'genuine', text: 'real work' });
  const message = await next;
  t.equal(message.subject, 'genuine');
  t.same(probe.received.map((m) => m.subject), ['genuine'], 'no rejected mail reached the handler');
}

function rawMail(headers: string[], body = 'do evil things'): string {
  return `${headers.join('\r\n')}\r\nSubject: forged\r\nMessage-ID: <${Math.random().toString(16).slice(2)}@forged.test>\r\nTo: ${GATEWAY.address}\r\n\r\n${body}\r\n`;
}

t.test('provider mode: forged or unauthorised mail is removed with the reason logged, never handed over', async (t) => {
  const p = await provider(t);
  const probe = await startChannel(t, p);

  await t.test('dmarc=fail: unsigned mail claiming to be Alice', async (t) => {
    const rejection = probe.nextRejection();
    await p.send(ALICE, { to: GATEWAY.address, subject: 'unsigned', text: 'x' }, { sign: false });
    const r = await rejection;
    t.equal(r.kind, 'auth_failed');
    t.equal(r.reason, "DMARC verification failed: dmarc=fail for corp.test in the Authentication-Results of 'mx.provider.test'");
  });

  await t.test('a forged passing header below the provider\'s real verdict', async (t) => {
    const rejection = probe.nextRejection();
    await p.send(MALLORY, {
      from: ALICE.address,
      to: GATEWAY.address,
      subject: 'forged below',
      text: 'x',
      headers: { 'Authentication-Results': `${AUTHSERV_ID}; dkim=pass; dmarc=pass` },
    }, { signAs: 'evil.test' });
    const r = await rejection;
    t.equal(r.kind, 'auth_failed');
    t.match(r.reason, /dmarc=fail/);
  });

  await t.test('a pass from another authserv-id above the provider\'s fail', async (t) => {
    const rejection = probe.nextRejection();
    await p.inject(GATEWAY.address, rawMail([
      'Authentication-Results: relay.evil.test; dmarc=pass header.from=corp.test',
      `Authentication-Results: ${AUTHSERV_ID}; dkim=fail header.d=corp.test; dmarc=fail header.from=corp.test`,
      `From: ${ALICE.address}`,
    ]));
    const r = await rejection;
    t.equal(r.reason, "DMARC verification failed: dmarc=fail for corp.test in the Authentication-Results of 'mx.provider.test'");
  });

  await t.test('no header from the trusted authserv-id at all', async (t) => {
    const rejection = probe.nextRejection();
    await p.inject(GATEWAY.address, rawMail([
      'Authentication-Results: relay.evil.test; dmarc=pass header.from=corp.test',
      `From: ${ALICE.address}`,
    ]));
    const r = await rejection;
    t.equal(r.reason, "DMARC verification failed: no Authentication-Results from the trusted authserv-id 'mx.provider.test' (found: relay.evil.test)");
  });

  await t.test('two From headers', async (t) => {
    const rejection = probe.nextRejection();
    await p.inject(GATEWAY.address, rawMail([
      `Authentication-Results: ${AUTHSERV_ID}; dmarc=pass header.from=evil.test`,
      `From: ${MALLORY.address}`,
      `From: ${ALICE.address}`,
    ]));
    const r = await rejection;
    t.equal(r.reason, 'expected exactly one From header, found 2');
  });

  await t.test('display-name trick: judged by the real address', async (t) => {
    const rejection = probe.nextRejection();
    await p.send(MALLORY, { from: `"${ALICE.address}" <${MALLORY.address}>`, to: GATEWAY.address, subject: 'display name', text: 'x' });
    const r = await rejection;
    t.equal(r.kind, 'unauthorized', 'DMARC passes for evil.test, the allowlist refuses it');
    t.equal(r.sender, MALLORY.address);
  });

  await t.test('authenticated but not on the allowlist', async (t) => {
    const rejection = probe.nextRejection();
    await p.send(BOB, { to: GATEWAY.address, subject: 'bob', text: 'x' });
    const r = await rejection;
    t.match(r, { kind: 'unauthorized', reason: 'sender not authorized: bob@corp.test', sender: BOB.address });
  });

  await onlyAliceGetsThrough(t, p, probe);
  t.equal(probe.logs.filter((l) => l.message === 'mail rejected').length, 7, 'every rejection is logged');
  t.ok(probe.logs.filter((l) => l.message === 'mail rejected').every((l) => typeof l.fields.reason === 'string' && l.level === 'warn'));
  const left = await p.list(GATEWAY.address);
  t.same(left.map((m) => m.parsed.subject), ['genuine'], 'rejected mail is gone from the inbox');
});

t.test('local mode: DKIM and DMARC alignment verified in-process', async (t) => {
  const p = await provider(t);
  const probe = await startChannel(t, p, { config: { verify: 'local', trusted_authserv_id: undefined }, extra: { resolver: p.resolver } });

  const rejection = probe.nextRejection();
  // The provider's header says nothing useful here; a forged pass on top must not matter either.
  await p.send(MALLORY, {
    from: ALICE.address,
    to: GATEWAY.address,
    subject: 'signed by the wrong domain',
    text: 'x',
    headers: { 'Authentication-Results': `${AUTHSERV_ID}; dmarc=pass` },
  }, { signAs: 'evil.test' });
  const r = await rejection;
  t.equal(r.kind, 'auth_failed');
  t.equal(r.reason, 'DMARC verification failed: dmarc=fail for corp.test in the local DMARC check (dkim: evil.test=pass)');

  await onlyAliceGetsThrough(t, p, probe);
});
