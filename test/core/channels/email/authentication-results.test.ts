import t from 'tap';
import { parseAuthenticationResults, type AuthResult } from '../../../../src/core/channels/email/authentication-results.js';
import { judgeDmarcResults } from '../../../../src/core/channels/email/dmarc-judgement.js';

/** A result in short form: `method=result` and its properties as `ptype.property=value`. */
function brief(r: AuthResult): string {
  const props = r.properties.map((p) => `${p.ptype === '' ? '' : `${p.ptype}.`}${p.property}=${p.value}`);
  const reason = r.reason === undefined ? [] : [`reason=${r.reason}`];
  return [`${r.method}${r.methodVersion === undefined ? '' : `/${r.methodVersion}`}=${r.result}`, ...reason, ...props].join(' ');
}

interface Good {
  name: string;
  value: string;
  id: string | undefined;
  results: string[];
  version?: number;
}

const good: Good[] = [
  { name: 'minimal', value: 'mx.test; dmarc=pass', id: 'mx.test', results: ['dmarc=pass'] },
  { name: 'no space after ;', value: 'mx.test;dmarc=pass;spf=fail', id: 'mx.test', results: ['dmarc=pass', 'spf=fail'] },
  {
    name: 'Gmail shape',
    value: 'mx.google.com; dkim=pass header.i=@corp.test header.s=20230601 header.b=Ab/c+d9=; spf=pass (google.com: domain of a@corp.test designates 192.0.2.1 as permitted sender) smtp.mailfrom=a@corp.test; dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=corp.test',
    id: 'mx.google.com',
    results: ['dkim=pass header.i=@corp.test header.s=20230601 header.b=Ab/c+d9=', 'spf=pass smtp.mailfrom=a@corp.test', 'dmarc=pass header.from=corp.test'],
  },
  {
    name: 'Microsoft 365 shape: no authserv-id, bare action=, reason=',
    value: 'spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=corp.test; dkim=pass (signature was verified) header.d=corp.test;dmarc=pass action=none header.from=corp.test;compauth=pass reason=100',
    id: undefined,
    results: ['spf=pass smtp.mailfrom=corp.test', 'dkim=pass header.d=corp.test', 'dmarc=pass action=none header.from=corp.test', 'compauth=pass reason=100'],
  },
  {
    name: 'Fastmail shape: policy. props, x-bits, comment after props',
    value: 'mx1.messagingengine.com; dkim=pass (2048-bit rsa key sha256) header.d=corp.test header.a=rsa-sha256 x-bits=2048; dmarc=pass policy.published-domain-policy=reject policy.applied-disposition=none (p=reject,d=none) header.from=corp.test',
    id: 'mx1.messagingengine.com',
    results: ['dkim=pass header.d=corp.test header.a=rsa-sha256 x-bits=2048', 'dmarc=pass policy.published-domain-policy=reject policy.applied-disposition=none header.from=corp.test'],
  },
  { name: 'comment glued to the result (Yahoo)', value: 'mx.test; dmarc=pass(p=REJECT) header.from=corp.test', id: 'mx.test', results: ['dmarc=pass header.from=corp.test'] },
  { name: 'folded with CRLF + tab', value: 'mx.test;\r\n\tdkim=pass header.d=corp.test;\r\n dmarc=pass\r\n  header.from=corp.test', id: 'mx.test', results: ['dkim=pass header.d=corp.test', 'dmarc=pass header.from=corp.test'] },
  { name: 'upper case names are lower-cased, values kept', value: 'MX.Test; DMARC=PASS Header.From=Corp.Test', id: 'MX.Test', results: ['dmarc=pass header.from=Corp.Test'] },
  { name: 'version after the authserv-id', value: 'mx.test 1; dmarc=pass', id: 'mx.test', results: ['dmarc=pass'], version: 1 },
  { name: 'version after a comment', value: 'mx.test (our MX) 1 ; dmarc=pass', id: 'mx.test', results: ['dmarc=pass'], version: 1 },
  { name: 'the none form', value: 'mx.test; none', id: 'mx.test', results: [] },
  { name: 'the none form with version and comment', value: 'mx.test 1 ; none (nothing checked)', id: 'mx.test', results: [], version: 1 },
  { name: 'quoted authserv-id', value: '"mx.test"; dmarc=pass', id: 'mx.test', results: ['dmarc=pass'] },
  { name: 'a trailing ;', value: 'mx.test; dmarc=pass header.from=corp.test;', id: 'mx.test', results: ['dmarc=pass header.from=corp.test'] },
  { name: 'nested comment with escapes', value: 'mx.test; dmarc=fail (outer (inner \\) dmarc=pass) still) header.from=corp.test', id: 'mx.test', results: ['dmarc=fail header.from=corp.test'] },
  { name: 'comment holding dmarc=pass after a fail', value: 'mx.test; dmarc=fail ( dmarc=pass ) header.from=corp.test', id: 'mx.test', results: ['dmarc=fail header.from=corp.test'] },
  { name: 'quoted reason holding dmarc=pass', value: 'mx.test; dmarc=fail reason="looks like dmarc=pass; but is not" header.from=corp.test', id: 'mx.test', results: ['dmarc=fail reason=looks like dmarc=pass; but is not header.from=corp.test'] },
  {
    name: 'quoted local-part holding dmarc=pass',
    value: 'mx.test; spf=fail smtp.mailfrom="x dmarc=pass y"@evil.test; dmarc=fail header.from=corp.test',
    id: 'mx.test',
    results: ['spf=fail smtp.mailfrom="x dmarc=pass y"@evil.test', 'dmarc=fail header.from=corp.test'],
  },
  { name: 'quoted property value', value: 'mx.test; dmarc=pass header.from="corp.test"', id: 'mx.test', results: ['dmarc=pass header.from=corp.test'] },
  { name: 'method version', value: 'mx.test; dkim/1=pass header.d=corp.test', id: 'mx.test', results: ['dkim/1=pass header.d=corp.test'] },
  { name: 'CFWS around = and .', value: 'mx.test; dmarc = pass header . from = corp.test', id: 'mx.test', results: ['dmarc=pass header.from=corp.test'] },
  { name: 'UTF-8 domain in a value', value: 'mx.test; dmarc=pass header.from=bücher.example', id: 'mx.test', results: ['dmarc=pass header.from=bücher.example'] },
  { name: 'IPv6 in a value', value: 'mx.test; iprev=pass policy.iprev=2001:db8::1', id: 'mx.test', results: ['iprev=pass policy.iprev=2001:db8::1'] },
];

for (const row of good) {
  t.test(`parses: ${row.name}`, async (t) => {
    const parsed = parseAuthenticationResults(row.value);
    if (!parsed.ok) {
      t.fail(`not parsed: ${parsed.reason}`);
      return;
    }
    t.equal(parsed.value.authservId, row.id);
    t.same(parsed.value.results.map(brief), row.results);
    t.equal(parsed.value.version, row.version);
  });
}

interface Bad {
  name: string;
  value: string;
  reason: RegExp;
  /** The authserv-id the failure still names (`null`: the header has none). */
  id: string | null | undefined;
}

const bad: Bad[] = [
  { name: 'empty', value: '   ', reason: /the value is empty/, id: undefined },
  { name: 'no ;', value: 'mx.test dmarc=pass', reason: /expected ';' after the authserv-id 'mx.test'/, id: 'mx.test' },
  { name: 'authserv-id alone', value: 'mx.test', reason: /no result follows/, id: 'mx.test' },
  { name: 'only a ;', value: 'mx.test;', reason: /no result follows/, id: 'mx.test' },
  { name: 'unsupported version', value: 'mx.test 2; dmarc=pass', reason: /version 2 is not supported/, id: 'mx.test' },
  { name: 'unterminated comment', value: 'mx.test; dmarc=fail (dmarc=pass header.from=corp.test', reason: /comment at offset 20 is not closed/, id: 'mx.test' },
  { name: 'unbalanced nested comment', value: 'mx.test; dmarc=pass (a (b) header.from=corp.test', reason: /not closed/, id: 'mx.test' },
  { name: 'unterminated quoted string', value: 'mx.test; dmarc=fail reason="x; dmarc=pass', reason: /quoted string at offset 27 is not closed/, id: 'mx.test' },
  { name: 'escape at the very end', value: 'mx.test; dmarc=fail reason="x\\', reason: /not closed/, id: 'mx.test' },
  { name: 'second result without ;', value: 'mx.test; dmarc=fail dmarc=pass header.from=corp.test', reason: /'dmarc=' inside 'dmarc=fail': a second result without ';'/, id: 'mx.test' },
  { name: 'upper-case second result without ;', value: 'mx.test; dmarc=fail DMARC=PASS', reason: /a second result without ';'/, id: 'mx.test' },
  { name: 'bare word among properties', value: 'mx.test; dmarc=fail pass header.from=corp.test', reason: /expected '.' or '=' after 'pass'/, id: 'mx.test' },
  { name: 'text glued to a quoted value', value: 'mx.test; spf=fail smtp.mailfrom="x"dmarc=pass', reason: /unexpected 'd' right after smtp.mailfrom/, id: 'mx.test' },
  { name: 'method without =', value: 'mx.test; dmarc pass', reason: /expected '=' after the method 'dmarc'/, id: 'mx.test' },
  { name: 'missing result', value: 'mx.test; dmarc=; spf=pass', reason: /expected the result of 'dmarc'/, id: 'mx.test' },
  { name: 'two reasons', value: 'mx.test; dmarc=fail reason=a reason=b', reason: /has two reasons/, id: 'mx.test' },
  { name: 'none followed by more', value: 'mx.test; none; dmarc=pass', reason: /expected '=' after the method 'none'/, id: 'mx.test' },
  { name: 'bare line break (an injected header line)', value: 'mx.test; dmarc=fail\r\nX: dmarc=pass', reason: /unexpected/, id: 'mx.test' },
  { name: 'line break inside a comment', value: 'mx.test; dmarc=fail (a\r\nb) header.from=x', reason: /line break inside the comment/, id: 'mx.test' },
  { name: 'empty ;; between results', value: 'mx.test; spf=pass;; dmarc=pass', reason: /expected a method name/, id: 'mx.test' },
  { name: 'Microsoft form gone wrong keeps its null id', value: 'spf=pass smtp.mailfrom=corp.test dmarc=pass', reason: /second result without ';'/, id: null },
  { name: 'authserv-id that is no token', value: '@evil; dmarc=pass', reason: /expected an authserv-id/, id: undefined },
];

for (const row of bad) {
  t.test(`refuses: ${row.name}`, async (t) => {
    const parsed = parseAuthenticationResults(row.value);
    t.equal(parsed.ok, false);
    if (parsed.ok) return;
    t.match(parsed.reason, row.reason);
    t.equal(parsed.authservId, row.id);
  });
}

t.test('deeply nested comments are read without recursion', async (t) => {
  const deep = `${'('.repeat(50_000)}x${')'.repeat(50_000)}`;
  const parsed = parseAuthenticationResults(`mx.test; dmarc=fail ${deep} header.from=corp.test`);
  t.ok(parsed.ok);
  t.same(parsed.ok ? parsed.value.results.map(brief) : [], ['dmarc=fail header.from=corp.test']);
});

t.test('any input gives a parse or a reason, never an exception; comments never change the results', async (t) => {
  // A fixed-seed generator, so a failure names an input that can be replayed.
  let seed = 0x2f6b3c1d;
  const next = (n: number): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed % n;
  };
  const pieces = ['mx.test', ';', ' ', '=', '.', 'dmarc', 'pass', 'fail', 'header', 'from', 'corp.test', '(', ')', '"', '\\', '@', '/', '1', '\r\n ', '\r\n', 'reason', 'none', 'ü', '\t'];
  const base = 'mx.test 1; dkim=pass header.d=corp.test (ok); dmarc=fail reason="r" header.from=corp.test';
  let parsed = 0;
  for (let i = 0; i < 5000; i++) {
    // A valid header with a few random pieces put in at random places.
    let text = base;
    const edits = 1 + next(3);
    for (let j = 0; j < edits; j++) {
      const at = next(text.length + 1);
      text = `${text.slice(0, at)}${pieces[next(pieces.length)] ?? ''}${text.slice(at)}`;
    }
    const result = parseAuthenticationResults(text);
    if (result.ok) {
      parsed++;
      // The header says dmarc=fail; no few inserted fragments can turn it into a pass.
      if (judgeDmarcResults(result.value.results, 'corp.test', 'fuzz').pass) t.fail(`a pass from ${JSON.stringify(text)}`);
    }
    else if (result.reason === '') t.fail(`empty reason for ${JSON.stringify(text)}`);
  }
  t.ok(parsed > 0, `some random inputs parse (${parsed} of 5000)`);

  const plain = 'mx.test; spf=pass smtp.mailfrom=a@corp.test; dmarc=fail header.from=corp.test';
  const commented = 'mx.test (dmarc=pass); (x) spf=pass (dmarc=pass) smtp.mailfrom=a@corp.test (;dmarc=pass); dmarc=fail (dmarc=pass header.from=corp.test) header.from=corp.test (dmarc=pass)';
  const a = parseAuthenticationResults(plain);
  const b = parseAuthenticationResults(commented);
  t.same(b.ok ? b.value.results.map(brief) : b.reason, a.ok ? a.value.results.map(brief) : a.reason);
});
