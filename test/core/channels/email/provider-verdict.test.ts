import t from 'tap';
import { judgeProviderResults } from '../../../../src/core/channels/email/provider-verdict.js';
import { readRawHeaders } from '../../../../src/core/channels/email/raw-headers.js';

const options = { trustedAuthservId: 'mx.test', microsoftInternalFallback: false };
const judge = (headerLines: string[], opts = options): ReturnType<typeof judgeProviderResults> =>
  judgeProviderResults(readRawHeaders(`${headerLines.join('\r\n')}\r\nFrom: a@b.test\r\n\r\nbody\r\nAuthentication-Results: mx.test; dmarc=pass\r\n`), opts);

t.test('passes only on the topmost header of the trusted authserv-id with a whole dmarc=pass token', async (t) => {
  t.same(judge(['Authentication-Results: mx.test; spf=pass; dmarc=pass (p=reject)']), { pass: true });
  t.same(judge(['Authentication-Results: MX.TEST;dmarc=PASS']), { pass: true }, 'case-insensitive');
  t.same(judge(['Authentication-Results: mx.test;', '\tdkim=pass header.d=b.test;', ' dmarc=pass header.from=b.test']), { pass: true }, 'folded');
  t.same(judge(['Authentication-Results: relay.test; none', 'Authentication-Results: mx.test; dmarc=pass']), {
    pass: false,
    reason: "topmost Authentication-Results is from 'relay.test', not the trusted 'mx.test'",
  });
  t.same(judge(['Authentication-Results: mx.test; dmarc=fail', 'Authentication-Results: mx.test; dmarc=pass']).pass, false, 'lower headers never count');
  for (const bad of ['mx.test; dmarc=passthrough', 'mx.test; xdmarc=pass', 'mx.test; spf=pass', 'mx.test dmarc=pass', 'mx.test 1; dmarc=pass']) {
    t.equal(judge([`Authentication-Results: ${bad}`]).pass, false, bad);
  }
  t.same(judge([]), { pass: false, reason: 'no Authentication-Results header' }, 'a header in the body is not a header');
});

t.test('Microsoft 365: empty trusted id skips the comparison; the internal fallback needs no AR at all', async (t) => {
  const m365 = { trustedAuthservId: '', microsoftInternalFallback: true };
  t.same(judge(['Authentication-Results: spf=pass; dmarc=pass action=none'], m365), { pass: true });
  t.same(judge(['X-MS-Exchange-Organization-AuthAs:  Internal '], m365), { pass: true });
  t.equal(judge(['X-MS-Exchange-Organization-AuthAs: Internal'], options).pass, false, 'only when enabled');
  t.equal(judge(['Authentication-Results: x; dmarc=fail', 'X-MS-Exchange-Organization-AuthAs: Internal'], m365).pass, false, 'any AR header disables it');
});
