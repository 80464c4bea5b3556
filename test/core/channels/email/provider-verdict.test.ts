import t from 'tap';
import { judgeProviderResults, type ProviderVerdictOptions } from '../../../../src/core/channels/email/provider-verdict.js';
import { judgeDmarcResults, normaliseDomain } from '../../../../src/core/channels/email/dmarc-judgement.js';
import { readRawHeaders } from '../../../../src/core/channels/email/raw-headers.js';

const TRUSTED: ProviderVerdictOptions = { trustedAuthservId: 'mx.test', microsoftInternalFallback: false };
const M365: ProviderVerdictOptions = { trustedAuthservId: '', microsoftInternalFallback: true };

/** The headers of a message whose raw text begins with `lines`; a header-like line in the body never counts. */
function headersOf(lines: string[], body = 'Authentication-Results: mx.test; dmarc=pass header.from=corp.test'): ReturnType<typeof readRawHeaders> {
  return readRawHeaders(Buffer.from(`${lines.join('\r\n')}\r\nFrom: a@corp.test\r\n\r\n${body}\r\n`, 'utf8'));
}

interface Row {
  name: string;
  lines: string[];
  /** The From domain; corp.test unless named. */
  from?: string;
  options?: ProviderVerdictOptions;
  /** `true` for a pass, else a pattern the reason must match. */
  expect: true | RegExp;
}

const AR = 'Authentication-Results:';
const rows: Row[] = [
  // Passing shapes
  { name: 'plain pass', lines: [`${AR} mx.test; dmarc=pass header.from=corp.test`], expect: true },
  { name: 'Gmail-like full verdict', lines: [`${AR} mx.test; dkim=pass header.i=@corp.test header.s=s1 header.b=Ab/c+d9=; spf=pass (mx.test: domain of a@corp.test designates 192.0.2.1 as permitted sender) smtp.mailfrom=a@corp.test; dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=corp.test`], expect: true },
  { name: 'upper case everywhere', lines: [`${AR} MX.TEST; DMARC=PASS HEADER.FROM=CORP.TEST`], expect: true },
  { name: 'folded header', lines: [`${AR} mx.test;`, '\tdkim=pass header.d=corp.test;', ' dmarc=pass', '   header.from=corp.test'], expect: true },
  { name: 'version after the authserv-id', lines: [`${AR} mx.test 1; dmarc=pass header.from=corp.test`], expect: true },
  { name: 'policy. properties', lines: [`${AR} mx.test; dmarc=pass policy.dmarc=reject policy.published-domain-policy=reject header.from=corp.test`], expect: true },
  { name: 'header.from in quotes', lines: [`${AR} mx.test; dmarc=pass header.from="corp.test"`], expect: true },
  { name: 'two agreeing dmarc passes', lines: [`${AR} mx.test; dmarc=pass header.from=corp.test; dmarc=pass header.from=CORP.test`], expect: true },
  { name: 'relay on top with its own id', lines: [`${AR} relay.test; dmarc=fail header.from=corp.test`, `${AR} mx.test; dmarc=pass header.from=corp.test`], expect: true },
  { name: 'relay on top with an id-less header', lines: [`${AR} spf=none smtp.mailfrom=corp.test`, `${AR} mx.test; dmarc=pass header.from=corp.test`], expect: true },
  { name: 'relay on top with an unparseable body but a readable id', lines: [`${AR} relay.test; this is (not valid`, `${AR} mx.test; dmarc=pass header.from=corp.test`], expect: true },
  { name: 'IDN: unicode header.from, A-label From', lines: [`${AR} mx.test; dmarc=pass header.from=bücher.example`], from: 'xn--bcher-kva.example', expect: true },
  { name: 'IDN: A-label header.from, unicode From domain', lines: [`${AR} mx.test; dmarc=pass header.from=xn--bcher-kva.example`], from: 'Bücher.example', expect: true },
  { name: 'IDN: upper-case unicode header.from', lines: [`${AR} mx.test; dmarc=pass header.from=BÜCHER.example`], from: 'xn--bcher-kva.example', expect: true },
  { name: 'M365 form with empty trusted id', lines: [`${AR} spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=corp.test; dkim=pass (signature was verified) header.d=corp.test;dmarc=pass action=none header.from=corp.test;compauth=pass reason=100`], options: M365, expect: true },
  { name: 'M365 internal fallback without any AR', lines: ['X-MS-Exchange-Organization-AuthAs:  Internal '], options: M365, expect: true },

  // The reported spoofs and their class
  { name: 'dmarc=pass inside a comment', lines: [`${AR} mx.test; dmarc=fail ( dmarc=pass ) header.from=corp.test`], expect: /^dmarc=fail for corp\.test in the Authentication-Results of 'mx\.test'$/ },
  { name: 'dmarc=pass inside a nested comment', lines: [`${AR} mx.test; dmarc=fail (x (dmarc=pass) y) header.from=corp.test`], expect: /^dmarc=fail for corp\.test/ },
  { name: 'dmarc=pass inside a quoted smtp.mailfrom', lines: [`${AR} mx.test; spf=fail smtp.mailfrom="x dmarc=pass y"@evil.test; dmarc=fail header.from=corp.test`], expect: /^dmarc=fail for corp\.test/ },
  { name: 'dmarc=pass inside a reason string', lines: [`${AR} mx.test; dmarc=fail reason="forwarded; dmarc=pass" header.from=corp.test`], expect: /^dmarc=fail for corp\.test/ },
  { name: 'dmarc=pass for another domain', lines: [`${AR} mx.test; dmarc=pass header.from=evil.test`], expect: /^dmarc=pass in the Authentication-Results of 'mx\.test' is for 'evil\.test', not the From domain 'corp\.test'$/ },
  { name: 'pass for another domain, fail for ours', lines: [`${AR} mx.test; dmarc=pass header.from=evil.test; dmarc=fail header.from=corp.test`], expect: /is for 'evil\.test'/ },
  { name: 'two dmarc results for our domain that disagree', lines: [`${AR} mx.test; dmarc=pass header.from=corp.test; dmarc=fail header.from=corp.test`], expect: /^dmarc=fail for corp\.test in .* \(results for it: pass, fail\)$/ },
  { name: 'a subdomain is another domain', lines: [`${AR} mx.test; dmarc=pass header.from=mail.corp.test`], expect: /is for 'mail\.corp\.test'/ },
  { name: 'a parent domain is another domain', lines: [`${AR} mx.test; dmarc=pass header.from=test`], expect: /is for 'test'/ },
  { name: 'missing header.from', lines: [`${AR} mx.test; dmarc=pass`], expect: /^dmarc=pass in .* has no header\.from/ },
  { name: 'header.d instead of header.from', lines: [`${AR} mx.test; dkim=pass header.d=corp.test; dmarc=pass header.d=corp.test`], expect: /has no header\.from/ },
  { name: 'dkim pass is not dmarc', lines: [`${AR} mx.test; dkim=pass header.d=corp.test header.from=corp.test; spf=pass smtp.mailfrom=corp.test`], expect: /has no dmarc result/ },
  { name: 'two header.from in one result', lines: [`${AR} mx.test; dmarc=pass header.from=evil.test header.from=corp.test`], expect: /has 2 header\.from properties/ },
  { name: 'header.from holding an address', lines: [`${AR} mx.test; dmarc=pass header.from=a@corp.test`], expect: /header\.from 'a@corp\.test', which is not a domain/ },
  { name: 'header.from with junk in quotes', lines: [`${AR} mx.test; dmarc=pass header.from="corp.test evil"`], expect: /which is not a domain/ },
  { name: 'trailing dot on header.from', lines: [`${AR} mx.test; dmarc=pass header.from=corp.test.`], expect: /which is not a domain/ },
  { name: 'dmarc=passthrough', lines: [`${AR} mx.test; dmarc=passthrough header.from=corp.test`], expect: /^dmarc=passthrough for corp\.test/ },
  { name: 'bestguesspass is not pass', lines: [`${AR} mx.test; dmarc=bestguesspass action=none header.from=corp.test`], expect: /^dmarc=bestguesspass/ },
  { name: 'xdmarc=pass is another method', lines: [`${AR} mx.test; xdmarc=pass header.from=corp.test`], expect: /has no dmarc result/ },
  { name: 'a second result glued without ;', lines: [`${AR} mx.test; dmarc=fail dmarc=pass header.from=corp.test`], expect: /^the Authentication-Results of 'mx\.test' cannot be parsed: .*second result without ';'/ },
  { name: 'unterminated comment hiding the rest', lines: [`${AR} mx.test; dmarc=fail (x; dmarc=pass header.from=corp.test`], expect: /cannot be parsed: .*not closed/ },
  { name: 'the none form', lines: [`${AR} mx.test; none`], expect: /has no dmarc result/ },
  { name: 'unsupported version', lines: [`${AR} mx.test 2; dmarc=pass header.from=corp.test`], expect: /cannot be parsed: version 2/ },
  { name: 'no ; after the id', lines: [`${AR} mx.test dmarc=pass header.from=corp.test`], expect: /cannot be parsed: expected ';'/ },
  { name: 'a forged pass below the provider\'s fail with the same id', lines: [`${AR} mx.test; dmarc=fail header.from=corp.test`, `${AR} mx.test; dmarc=pass header.from=corp.test`], expect: /^dmarc=fail for corp\.test/ },
  { name: 'a forged pass below an unparseable provider header', lines: [`${AR} mx.test; dmarc=fail (broken`, `${AR} mx.test; dmarc=pass header.from=corp.test`], expect: /^the Authentication-Results of 'mx\.test' cannot be parsed/ },
  { name: 'no header from the trusted id', lines: [`${AR} relay.test; dmarc=pass header.from=corp.test`], expect: /^no Authentication-Results from the trusted authserv-id 'mx\.test' \(found: relay\.test\)$/ },
  { name: 'a look-alike id', lines: [`${AR} mx.test.evil.test; dmarc=pass header.from=corp.test`], expect: /no Authentication-Results from the trusted/ },
  { name: 'a header above whose id cannot be read', lines: [`${AR} @relay; dmarc=pass`, `${AR} mx.test; dmarc=pass header.from=corp.test`], expect: /^Authentication-Results #1 from the top cannot be parsed far enough to read its authserv-id/ },
  { name: 'no Authentication-Results at all', lines: [], expect: /^no Authentication-Results header$/ },
  { name: 'M365: only the topmost header counts', lines: [`${AR} spf=fail smtp.mailfrom=corp.test;dmarc=fail action=none header.from=corp.test`, `${AR} spf=pass;dmarc=pass action=none header.from=corp.test`], options: M365, expect: /^dmarc=fail for corp\.test in the topmost Authentication-Results$/ },
  { name: 'M365: a comment does not make a pass', lines: [`${AR} dmarc=fail (dmarc=pass) action=none header.from=corp.test`], options: M365, expect: /^dmarc=fail/ },
  { name: 'M365: unparseable topmost header', lines: [`${AR} dmarc=fail action=none dmarc=pass header.from=corp.test`], options: M365, expect: /^the topmost Authentication-Results cannot be parsed/ },
  { name: 'M365: any AR header disables the internal fallback', lines: [`${AR} spf=none`, 'X-MS-Exchange-Organization-AuthAs: Internal'], options: M365, expect: /has no dmarc result/ },
  { name: 'internal fallback only when enabled', lines: ['X-MS-Exchange-Organization-AuthAs: Internal'], expect: /^no Authentication-Results header$/ },
];

for (const row of rows) {
  t.test(row.name, async (t) => {
    const verdict = judgeProviderResults(headersOf(row.lines), row.from ?? 'corp.test', row.options ?? TRUSTED);
    if (row.expect === true) {
      t.same(verdict, { pass: true });
      return;
    }
    t.equal(verdict.pass, false);
    t.match(verdict.pass ? '' : verdict.reason, row.expect);
  });
}

t.test('the judgement refuses a From domain that is not one, and normalises IDNs', async (t) => {
  t.same(judgeDmarcResults([], 'not a domain', 'x'), { pass: false, reason: "the From domain 'not a domain' is not a valid domain" });
  t.equal(normaliseDomain('Bücher.Example'), 'xn--bcher-kva.example');
  t.equal(normaliseDomain('corp..test'), undefined);
  t.equal(normaliseDomain('corp.test=x'), undefined);
});
