import t from 'tap';
import { parseFromAddress } from '../../../../src/core/channels/email/sender-address.js';
import { matchAuthorizedSender } from '../../../../src/core/channels/email/authorized-senders.js';

t.test('accepted From values give the lower-cased address in the brackets', async (t) => {
  t.same(parseFromAddress('Alice <Alice@Corp.TEST>'), { ok: true, address: 'alice@corp.test' });
  t.same(parseFromAddress('alice@corp.test'), { ok: true, address: 'alice@corp.test' });
  t.same(parseFromAddress('"boss@corp.test" <evil@x.test>'), { ok: true, address: 'evil@x.test' }, 'a display name never counts');
  t.same(parseFromAddress('=?utf-8?q?Ad=C3=A9?= <ada+x@corp.test>'), { ok: true, address: 'ada+x@corp.test' });
});

t.test('ambiguous or malformed From values are refused', async (t) => {
  for (const value of ['a <b@x.test> <c@y.test>', '>x@y.test<', '<>', 'Alice', 'Alice <alice>', '"<boss@corp.test>" <evil@x.test>',
    'alice@corp.test, bob@corp.test', 'a <b@x.test> trailing', 'alice@.corp.test', 'alice@corp..test', '']) {
    t.equal(parseFromAddress(value).ok, false, value);
  }
});

t.test('allowlist: exact addresses and *@domain, case-insensitive, no subdomains', async (t) => {
  const list = ['Alice@Corp.test', '*@partner.test'];
  t.equal(matchAuthorizedSender('alice@corp.test', list), 'Alice@Corp.test');
  t.equal(matchAuthorizedSender('zed@PARTNER.test', list), '*@partner.test');
  t.equal(matchAuthorizedSender('zed@sub.partner.test', list), undefined);
  t.equal(matchAuthorizedSender('zed@evilpartner.test', list), undefined);
  t.equal(matchAuthorizedSender('bob@corp.test', list), undefined);
});
