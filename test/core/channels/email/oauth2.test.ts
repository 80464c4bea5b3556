import t from 'tap';
import type { Test } from 'tap';
import { clientCredentialsOf, m365TokenUrl, OAuth2TokenSource } from '../../../../src/core/channels/email/oauth2-token.js';
import { startFakeOAuth2, type FakeOAuth2 } from '../../../harness/mail/fake-oauth2.js';
import { startMailProvider, type MailProvider } from '../../../harness/mail/mail-provider.js';
import { ALICE, AUTHSERV_ID, GATEWAY, startChannel } from './mail-fixture.js';

const CLIENT = { tenantId: 'contoso-tenant', clientId: 'app-1234', clientSecret: 's3cret-value', mailbox: GATEWAY.address };

async function oauthServer(t: Test): Promise<FakeOAuth2> {
  const server = await startFakeOAuth2(CLIENT);
  t.teardown(() => server.close());
  return server;
}

function credentials(server: FakeOAuth2, secret = CLIENT.clientSecret) {
  return clientCredentialsOf({ tenant_id: CLIENT.tenantId, client_id: CLIENT.clientId, client_secret: secret, token_url: server.tokenUrl, scope: 'https://outlook.office365.com/.default' });
}

t.test('the token endpoint defaults to Microsoft\'s v2.0 endpoint of the tenant', async (t) => {
  t.equal(m365TokenUrl('contoso.onmicrosoft.com'), 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token');
  const defaults = clientCredentialsOf({ tenant_id: 'abc', client_id: 'id', client_secret: 'x', scope: 'https://outlook.office365.com/.default' });
  t.equal(defaults.tokenUrl, 'https://login.microsoftonline.com/abc/oauth2/v2.0/token');
});

t.test('client credentials: one request for callers at the same time, kept until shortly before expiry, then fetched again', async (t) => {
  const server = await oauthServer(t);
  server.expiresIn = 3600;
  let now = Date.parse('2026-11-27T12:00:00Z');
  const source = new OAuth2TokenSource(credentials(server), { clock: () => new Date(now), refreshMarginMs: 5 * 60_000 });

  const [a, b] = await Promise.all([source.token(), source.token()]);
  t.equal(a, b);
  t.equal(server.tokenRequests.length, 1, 'callers at the same time share one request');
  t.same(server.tokenRequests[0]?.form, {
    grant_type: 'client_credentials',
    client_id: CLIENT.clientId,
    client_secret: CLIENT.clientSecret,
    scope: 'https://outlook.office365.com/.default',
  });

  now += 54 * 60_000;
  t.equal(await source.token(), a, 'still kept 6 minutes before expiry');
  t.equal(server.tokenRequests.length, 1);
  now += 2 * 60_000;
  const refreshed = await source.token();
  t.not(refreshed, a, 'a new token 4 minutes before expiry');
  t.equal(server.tokenRequests.length, 2);

  const renewed = await source.token(true);
  t.not(renewed, refreshed, 'renew drops the kept token (a server refused it)');
  t.equal(server.tokenRequests.length, 3);

  // A token issued for less than twice the margin is renewed after half its life.
  server.expiresIn = 60;
  const short = await source.token(true);
  now += 29_000;
  t.equal(await source.token(), short);
  now += 2_000;
  t.not(await source.token(), short);
});

t.test('a refused secret or an unreachable endpoint fails with EMAIL_OAUTH2_FAILED naming the endpoint and the answer', async (t) => {
  const server = await oauthServer(t);
  const refused = new OAuth2TokenSource(credentials(server, 'wrong'));
  await t.rejects(refused.token(), {
    code: 'EMAIL_OAUTH2_FAILED',
    message: `the OAuth2 token endpoint ${server.tokenUrl} refused client ${CLIENT.clientId}: invalid_client: AADSTS7000215: Invalid client secret provided.`,
    hint: /client_secret/,
  });

  const closed = await startFakeOAuth2(CLIENT);
  const url = closed.tokenUrl;
  await closed.close();
  const unreachable = new OAuth2TokenSource({ ...credentials(server), tokenUrl: url });
  await t.rejects(unreachable.token(), { code: 'EMAIL_OAUTH2_FAILED', message: new RegExp(`could not reach the OAuth2 token endpoint ${url.replace(/[.?]/g, '\\$&')}`) });
});

async function oauthProvider(t: Test, server: FakeOAuth2): Promise<MailProvider> {
  const p = await startMailProvider({
    authservId: AUTHSERV_ID,
    users: [GATEWAY, ALICE],
    oauth2: { introspectionUrl: server.introspectionUrl, verify: (user, token) => server.verify(user, token) },
  });
  t.teardown(() => p.close());
  return p;
}

t.test('XOAUTH2: the channel reads the inbox from Dovecot and replies over SMTP with a client-credentials token, no password', async (t) => {
  const server = await oauthServer(t);
  const p = await oauthProvider(t, server);
  const probe = await startChannel(t, p, {
    config: {
      password: undefined,
      microsoft_oauth2: { tenant_id: CLIENT.tenantId, client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret, token_url: server.tokenUrl, scope: 'https://outlook.office365.com/.default' },
    },
  });
  t.equal(probe.channel.state().state, 'idle', 'logged in to IMAP with the token');
  const [issued] = server.tokenRequests.map((r) => r.issued);
  t.ok(issued);
  t.ok(server.introspected.includes(issued ?? ''), 'Dovecot checked the token at the introspection endpoint');

  const next = probe.nextMessage();
  await p.send(ALICE, { to: GATEWAY.address, subject: 'Via OAuth', text: 'Hello.' });
  const message = await next;
  await probe.channel.reply(message, 'ab12cd34', { kind: 'result', markdown: 'Answered.', attachments: [] });
  const [reply] = await p.waitFor(ALICE.address, (m) => m.length === 1);
  t.equal(reply?.parsed.subject, 'Re: [ID:ab12cd34] Via OAuth');
  t.equal(server.tokenRequests.length, 1, 'IMAP and SMTP share the kept token');
  await probe.channel.complete(message);
  await p.waitFor(GATEWAY.address, (m) => m.length === 0);
});

t.test('XOAUTH2: after the token is revoked, SMTP and the IMAP reconnect fetch a new one', async (t) => {
  const server = await oauthServer(t);
  const p = await oauthProvider(t, server);
  const probe = await startChannel(t, p, {
    config: {
      password: undefined,
      microsoft_oauth2: { tenant_id: CLIENT.tenantId, client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret, token_url: server.tokenUrl, scope: 'https://outlook.office365.com/.default' },
    },
  });
  const next = probe.nextMessage();
  await p.send(ALICE, { to: GATEWAY.address, subject: 'First', text: 'one' });
  const first = await next;

  server.revokeAll();
  await probe.channel.reply(first, 'ab12cd34', { kind: 'result', markdown: 'Answered.', attachments: [] });
  await p.waitFor(ALICE.address, (m) => m.length === 1);
  t.equal(server.tokenRequests.length, 2, 'the SMTP server refused the kept token; one new token was fetched');

  server.revokeAll();
  const failed = probe.nextLog('IMAP connection failed; retrying');
  await p.dovecot.stop();
  await failed;
  await p.dovecot.start();
  const again = probe.nextMessage();
  await p.send(ALICE, { to: GATEWAY.address, subject: 'Second', text: 'two' });
  t.equal((await again).subject, 'Second', 'reconnected with a fresh token');
  t.equal(server.tokenRequests.length, 3);
  t.equal(probe.channel.state().state, 'idle');
});
