import t from 'tap';
import { normalizeRequestHost, normalizeRequestPath } from '../../../../src/sandbox/network/allowlist/index.js';

// [raw path, decoded path or problem pattern]
const paths: [string, string | RegExp][] = [
  ['/', '/'],
  ['/repos/org/repo?per_page=100', '/repos/org/repo?per_page=100'],
  ['/a%20b', '/a b'],
  ['/%41%42', '/AB'],
  ['/caf%C3%A9', '/café'],
  ['/café', '/café'],
  ['/group%2Fproject', '/group/project'],
  ['/100%', '/100%'],
  ['/%zz', '/%zz'],
  ['/%4', '/%4'],
  ['/a/./b', '/a/./b'],
  ['/a..b/c', '/a..b/c'],
  ['/a/...', '/a/...'],
  ['/a/%252541', '/a/%2541'],
  ['/%2500x', /double-encoded/],
  ['/a/../b', /"\.\." segment/],
  ['/a/..', /"\.\." segment/],
  ['/..', /"\.\." segment/],
  ['/a/%2e%2e/b', /"\.\." segment/],
  ['/a/%2E%2E/b', /"\.\." segment/],
  ['/a/.%2e/b', /"\.\." segment/],
  ['/a/%2e%2e', /"\.\." segment/],
  ['/a/..;x=1/b', /"\.\." segment/],
  ['/a%2f..%2fb', /"\.\." segment/],
  ['/x?next=/../admin', /"\.\." segment/],
  ['/a/%252e%252e/b', /double-encoded/],
  ['/a%252fb', /double-encoded/],
  ['/a%255cb', /double-encoded/],
  ['/a%2500', /double-encoded/],
  ['/a%00b', /NUL/],
  ['/a\0b', /NUL/],
  ['/a\\b', /backslash/],
  ['/a%5cb', /backslash/],
  ['/a%5C..%5Cb', /backslash/],
  ['/%ff', /not valid UTF-8/],
  ['/a/%c0%ae%c0%ae/b', /not valid UTF-8/],
  ['/a/%u002e%u002e/b', /%u escape/],
  ['/a/%U002F', /%u escape/],
  ['/a/%uzzzz', '/a/%uzzzz'],
  ['/%c3', /not valid UTF-8/],
];

void t.test('paths are decoded once and tricks are refused', (t) => {
  for (const [raw, expected] of paths) {
    const result = normalizeRequestPath(raw);
    if (typeof expected === 'string') {
      t.same(result, { ok: true, path: expected }, `${JSON.stringify(raw)} decodes to ${JSON.stringify(expected)}`);
    } else {
      t.equal(result.ok, false, `${JSON.stringify(raw)} is refused`);
      t.match(result.ok ? '' : result.problem, expected, `${JSON.stringify(raw)}: reason`);
    }
  }
  t.end();
});

// [raw host, normalised host or undefined when refused]
const hosts: [string, string | undefined][] = [
  ['api.github.com', 'api.github.com'],
  ['API.GitHub.com', 'api.github.com'],
  ['api.github.com:443', 'api.github.com'],
  ['api.github.com:8443', 'api.github.com'],
  ['api.github.com.', 'api.github.com'],
  ['api.github.com.:443', 'api.github.com'],
  ['api.github.com..', undefined],
  ['xn--caf-dma.example', 'xn--caf-dma.example'],
  ['café.example', undefined],
  ['localhost', 'localhost'],
  ['10.0.0.1', '10.0.0.1'],
  ['10.0.0.1:80', '10.0.0.1'],
  ['[::1]', '[::1]'],
  ['[::1]:443', '[::1]'],
  ['::1', undefined],
  ['', undefined],
  ['.', undefined],
  ['a..b', undefined],
  ['evil.com/x', undefined],
  ['user@evil.com', undefined],
  ['evil.com\0.github.com', undefined],
  ['evil .com', undefined],
  ['a.com:', undefined],
  ['a.com:99999999', undefined],
];

void t.test('hosts are lower-cased, lose port and trailing dot, and must be host names', (t) => {
  for (const [raw, expected] of hosts) {
    const result = normalizeRequestHost(raw);
    if (expected === undefined) {
      t.equal(result.ok, false, `${JSON.stringify(raw)} is refused`);
      t.match(result.ok ? '' : result.problem, /is not a valid host name/);
    } else {
      t.same(result, { ok: true, host: expected }, `${JSON.stringify(raw)} -> ${expected}`);
    }
  }
  t.end();
});
