import t from 'tap';
import { explainRequest, parseAllowlist } from '../../../../src/sandbox/network/allowlist/index.js';

const SOURCE = '.airut/network-allowlist.yaml';
const allowlist = parseAllowlist(`
domains:
  - api.anthropic.com
  - "*.githubusercontent.com"
url_prefixes:
  - host: api.github.com
    path: /repos/org/repo*
    methods: [GET, HEAD]
  - host: api.github.com
    path: /graphql
    methods: [POST]
  - host: github.com
    path: /org/repo.git/*
  - host: "registry.npmjs.org"
  - host: "files.example.com"
    path: /pub/v[0-9]/*
    methods: [GET]
  - host: "Docs.Example.COM"
    path: /Guide/*
  - host: "*"
    path: /public/*
    methods: [GET]
`, SOURCE);

// [method, host, raw path, allowed]
const rows: [string, string, string, boolean][] = [
  // domains: every method and path.
  ['POST', 'api.anthropic.com', '/v1/messages?beta=true', true],
  ['DELETE', 'api.anthropic.com', '/anything/at/all', true],
  ['GET', 'API.ANTHROPIC.COM', '/v1/models', true],
  ['GET', 'api.anthropic.com:443', '/v1/models', true],
  ['GET', 'api.anthropic.com.', '/v1/models', true],
  ['GET', 'evil-api.anthropic.com', '/', false],
  ['GET', 'api.anthropic.com.evil.com', '/', false],
  ['GET', 'raw.githubusercontent.com', '/org/repo/main/README.md', true],
  ['GET', 'a.b.githubusercontent.com', '/x', true],
  ['GET', 'githubusercontent.com', '/x', false],
  ['GET', 'evilgithubusercontent.com', '/x', false],
  // url_prefixes: host, path (query included, case-sensitive) and methods.
  ['GET', 'api.github.com', '/repos/org/repo', true],
  ['GET', 'api.github.com', '/repos/org/repo/pulls?state=open', true],
  ['HEAD', 'api.github.com', '/repos/org/repo/git/refs', true],
  ['get', 'api.github.com', '/repos/org/repo', true],
  ['GET', 'api.github.com', '/repos/org/repo-other/pulls', true],
  ['GET', 'api.github.com', '/repos/org/other', false],
  ['GET', 'api.github.com', '/Repos/org/repo', false],
  ['GET', 'api.github.com', '/repos/org/repo/../../other/x', false],
  ['GET', 'api.github.com', '/repos/org/repo/%2e%2e/%2e%2e/other', false],
  ['GET', 'api.github.com', '/repos/org/repo/%252e%252e/%252e%252e/other', false],
  ['GET', 'api.github.com', '/repos/org/repo%2F..%2F..%2Fother', false],
  ['GET', 'api.github.com', '/repos/org/repo%2Fpulls', true],
  ['GET', 'api.github.com', '/repos/org/repo\\..\\other', false],
  ['GET', 'api.github.com', '/repos/org/repo%5c..%5cother', false],
  ['GET', 'api.github.com', '/repos/org/repo%00/../other', false],
  ['GET', 'api.github.com', '/repos/org/repo%00', false],
  ['GET', 'api.github.com', '/repos/org/re%70o', true],
  ['GET', 'api.github.com', '/repos/org/%72epo/issues', true],
  ['POST', 'api.github.com', '/graphql', true],
  ['POST', 'api.github.com', '/graphql?x=1', false],
  ['POST', 'api.github.com', '/graphql/', false],
  ['GET', 'api.github.com', '/graphql', false],
  ['GET', 'github.com', '/org/repo.git/info/refs?service=git-upload-pack', true],
  ['POST', 'github.com', '/org/repo.git/git-receive-pack', true],
  ['POST', 'github.com', '/org/repo.git', false],
  ['GET', 'GitHub.com', '/org/repo.git/HEAD', true],
  ['GET', 'github.com', '/ORG/repo.git/HEAD', false],
  ['PUT', 'registry.npmjs.org', '/some-package', true],
  ['GET', 'registry.npmjs.org', '/@scope%2fpkg', true],
  ['GET', 'files.example.com', '/pub/v1/file.tgz', true],
  ['GET', 'files.example.com', '/pub/vx/file.tgz', false],
  ['GET', 'files.example.com', '/pub/v12/file.tgz', false],
  ['GET', 'docs.example.com', '/Guide/intro', true],
  ['GET', 'docs.example.com', '/guide/intro', false],
  ['GET', 'docs.example.com', '/Guide/caf%C3%A9', true],
  // A wildcard host entry after a method mismatch still allows (ALW-02).
  ['GET', 'anything.example', '/public/x', true],
  ['POST', 'anything.example', '/public/x', false],
  ['GET', 'api.github.com', '/public/x', true],
  // Hosts that are not host names never match, not even `*`.
  ['GET', 'évil.example', '/public/x', false],
  ['GET', 'evil.example/x', '/public/x', false],
  ['GET', '', '/public/x', false],
  ['GET', 'evil.example', '/private', false],
];

void t.test('requests are decided as the original decides them', (t) => {
  for (const [method, host, path, allowed] of rows) {
    const decision = explainRequest(allowlist, { method, host, path });
    t.equal(decision.allowed, allowed, `${method} ${host}${path} -> ${allowed ? 'allowed' : 'blocked'} (${decision.reason})`);
  }
  t.end();
});

void t.test('an empty allowlist blocks everything', (t) => {
  const empty = parseAllowlist('', SOURCE);
  for (const [method, host, path] of rows) {
    t.equal(explainRequest(empty, { method, host, path }).allowed, false, `${method} ${host}${path}`);
  }
  t.end();
});

void t.test('an allowed request names the entry that allowed it', (t) => {
  t.same(explainRequest(allowlist, { method: 'POST', host: 'api.anthropic.com', path: '/v1/messages?beta=true' }), {
    allowed: true,
    methodMismatch: false,
    rule: 'domains[0] "api.anthropic.com"',
    matched: allowlist.domains[0],
    decodedPath: '/v1/messages?beta=true',
    reason: 'POST https://api.anthropic.com/v1/messages?beta=true is allowed by domains[0] "api.anthropic.com" in .airut/network-allowlist.yaml.',
  });
  t.same(explainRequest(allowlist, { method: 'get', host: 'API.github.com:443', path: '/repos/org/repo', scheme: 'http' }), {
    allowed: true,
    methodMismatch: false,
    matched: allowlist.urlPrefixes[0],
    decodedPath: '/repos/org/repo',
    rule: 'url_prefixes[0] (host "api.github.com", path "/repos/org/repo*", methods GET, HEAD)',
    reason: 'GET http://api.github.com/repos/org/repo is allowed by url_prefixes[0] (host "api.github.com", path "/repos/org/repo*", methods GET, HEAD) in .airut/network-allowlist.yaml.',
  });
  t.equal(explainRequest(allowlist, { method: 'PUT', host: 'registry.npmjs.org', path: '/x' }).rule, 'url_prefixes[3] (host "registry.npmjs.org", any path, any method)');
  t.end();
});

void t.test('a method-only mismatch says which methods the entry allows and how to add one', (t) => {
  t.same(explainRequest(allowlist, { method: 'POST', host: 'api.github.com', path: '/repos/org/repo/pulls' }), {
    allowed: false,
    methodMismatch: true,
    rule: 'url_prefixes[0] (host "api.github.com", path "/repos/org/repo*", methods GET, HEAD)',
    reason: 'POST is not allowed for https://api.github.com/repos/org/repo/pulls; the matching entry url_prefixes[0] (host "api.github.com", path "/repos/org/repo*", methods GET, HEAD) in .airut/network-allowlist.yaml allows GET, HEAD, so add POST to its methods to request access.',
    hint: 'url_prefixes:\n  - host: api.github.com\n    path: /repos/org/repo*\n    methods: [GET, HEAD, POST]\n',
  });
  const wildcard = explainRequest(allowlist, { method: 'DELETE', host: 'x.example', path: '/public/a' });
  t.equal(wildcard.methodMismatch, true);
  t.equal(wildcard.hint, 'url_prefixes:\n  - host: "*"\n    path: /public/*\n    methods: [GET, DELETE]\n', 'the "*" host is quoted so the YAML stays valid');
  t.same(parseAllowlist(wildcard.hint ?? '', 'hint').toJSON().url_prefixes, [{ host: '*', path: '/public/*', methods: ['GET', 'DELETE'] }], 'the hint parses');
  t.end();
});

void t.test('an unlisted request says it is not in the allowlist and suggests the narrowest entry', (t) => {
  t.same(explainRequest(allowlist, { method: 'GET', host: 'Evil.Example:443', path: '/x/y' }), {
    allowed: false,
    methodMismatch: false,
    reason: 'GET https://evil.example/x/y is not in the network allowlist; to request access, add an entry for it to .airut/network-allowlist.yaml.',
    hint: 'url_prefixes:\n  - host: evil.example\n    path: /x/y\n    methods: [GET]\n',
  });
  const withQuery = explainRequest(allowlist, { method: 'POST', host: 'api.github.com', path: '/graphql?op=a' });
  t.equal(withQuery.methodMismatch, false);
  t.equal(withQuery.hint, 'url_prefixes:\n  - host: api.github.com\n    path: /graphql*\n    methods: [POST]\n', 'a trailing * covers the query string');
  const odd = explainRequest(allowlist, { method: 'GET', host: 'a.example', path: '/a*b[1]?q=%20' });
  t.equal(odd.hint, 'url_prefixes:\n  - host: a.example\n    path: /a[*]b[[]1]*\n    methods: [GET]\n', 'literal wildcard characters are escaped');
  const suggested = parseAllowlist(odd.hint ?? '', 'hint');
  t.equal(explainRequest(suggested, { method: 'GET', host: 'a.example', path: '/a*b[1]?q=%20' }).allowed, true, 'the suggested entry allows the request');
  t.equal(explainRequest(suggested, { method: 'GET', host: 'a.example', path: '/aXb11?q=' }).allowed, false, 'and not its look-alikes');
  const decoded = explainRequest(allowlist, { method: 'GET', host: 'a.example', path: '/caf%C3%A9' });
  t.equal(decoded.hint, 'url_prefixes:\n  - host: a.example\n    path: /café\n    methods: [GET]\n', 'the suggested path is the decoded one that is matched');
  t.end();
});

void t.test('refused paths and hosts say why and offer no hint', (t) => {
  t.same(explainRequest(allowlist, { method: 'GET', host: 'api.github.com', path: '/repos/org/repo/%2e%2e/x' }), {
    allowed: false,
    methodMismatch: false,
    reason: 'GET https://api.github.com/repos/org/repo/%2e%2e/x is blocked: the path contains a ".." segment, which the server would resolve to another path.',
  });
  t.match(explainRequest(allowlist, { method: 'GET', host: 'api.github.com', path: '/repos/org/repo/%252e%252e/x' }).reason, /is blocked: the path contains a double-encoded "\.", "\/", "\\" or NUL\.$/);
  t.match(explainRequest(allowlist, { method: 'GET', host: 'api.github.com', path: '/repos/org/repo%00' }).reason, /is blocked: the path contains a NUL byte\.$/);
  t.match(explainRequest(allowlist, { method: 'GET', host: 'api.github.com', path: '/repos/org/repo\\x' }).reason, /is blocked: the path contains a backslash/);
  t.same(explainRequest(allowlist, { method: 'connect', host: 'api.anthropic.com:443', path: 'api.anthropic.com:443' }), {
    allowed: false,
    methodMismatch: false,
    reason: 'CONNECT api.anthropic.com is blocked: tunnelling through the proxy is never allowed.',
  }, 'even to a host listed under domains');
  t.same(explainRequest(allowlist, { method: 'GET', host: 'bad host', path: '/' }), {
    allowed: false,
    methodMismatch: false,
    reason: 'GET https://bad host/ is blocked: the host "bad host" is not a valid host name.',
  });
  t.end();
});
