import t from 'tap';
import { validateConfig } from '../../../src/core/config/index.js';

// Approval keys that could do nothing are refused at load: with the network
// sandbox off nothing is blocked, and a hold nobody can be asked about ends
// in a 403 at once.

const slack = { bot_token: 'xoxb-1', app_token: 'xapp-1', authorized: [{ user_id: 'U1' }] };
const email = { imap_server: 'imap.example.com', smtp_server: 'smtp.example.com', username: 'airut@example.com', password: 'pw', from: 'Airut <airut@example.com>', authorized_senders: ['ada@example.com'], trusted_authserv_id: 'mx.example.com' };
const repo = (fields: Record<string, unknown>) => ({ repos: { r1: { repo_url: 'https://example.com/r.git', ...fields } } });
const messages = (value: unknown): string[] => validateConfig(value).problems.map((p) => `${p.keyPath}: ${p.message}`);

void t.test('with the network sandbox off, approvals, approval_ttl and a hold are refused; off and 0 agree', (t) => {
  const off = (network: Record<string, unknown>) => messages(repo({ slack, network: { sandbox_enabled: false, ...network } }));
  t.same(off({}), [], 'the defaults alone are fine');
  t.same(off({ approvals: 'off', approval_hold_seconds: 0 }), [], 'saying none is fine');
  t.match(off({ approvals: 'exact' }), [/network\.approvals.*lays approvals over the network sandbox's allowlist, but network\.sandbox_enabled is false/]);
  t.match(off({ approval_ttl: '2h' }), [/network\.approval_ttl.*with network\.sandbox_enabled false nothing is blocked/]);
  t.match(off({ approval_hold_seconds: 30 }), [/network\.approval_hold_seconds.*holds blocked requests at the network sandbox's proxy, but network\.sandbox_enabled is false/]);
  t.end();
});

void t.test('a hold in a repo without Slack needs the dashboard', (t) => {
  const hold = { approval_hold_seconds: 30 };
  t.match(messages({ dashboard: { enabled: false }, ...repo({ email, network: hold }) }), [/network\.approval_hold_seconds.*no slack: block and the dashboard is off/]);
  t.same(messages(repo({ email, network: hold })), [], 'the dashboard (on by default) can be asked');
  t.same(messages({ dashboard: { enabled: false }, ...repo({ slack, network: hold }) }), [], 'the Slack thread can be asked');
  t.same(messages({ dashboard: { enabled: false }, ...repo({ email, network: { approval_hold_seconds: 0 } }) }), [], 'no hold, nothing to ask');
  t.end();
});
