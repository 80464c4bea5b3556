import t from 'tap';
import {
  AllowlistError,
  allowlistFromObject,
  describeRule,
  parseAllowlist,
  serializeAllowlist,
  type UrlPrefixRule,
} from '../../../../src/sandbox/network/allowlist/index.js';

const SOURCE = '.airut/network-allowlist.yaml';

function problemsOf(text: string): string[] {
  try {
    parseAllowlist(text, SOURCE);
  } catch (error) {
    if (error instanceof AllowlistError) return error.problems.map((p) => `${p.line ?? '-'} ${p.path}: ${p.message}`);
    throw error;
  }
  return [];
}

void t.test('a full allowlist parses into rules', (t) => {
  const allowlist = parseAllowlist(`
domains:
  - api.anthropic.com
  - "*.githubusercontent.com"
url_prefixes:
  - host: api.github.com
    path: /repos/org/*
    methods: [get, HEAD]
  - host: pypi.org
  - host: "*"
    path: ""
    methods: [GET]
`, SOURCE);
  t.equal(allowlist.source, SOURCE);
  t.equal(allowlist.isEmpty, false);
  t.same(allowlist.domains.map((d) => d.host), ['api.anthropic.com', '*.githubusercontent.com']);
  t.same(allowlist.urlPrefixes.map((u) => [u.index, u.host, u.path, u.methods]), [
    [0, 'api.github.com', '/repos/org/*', ['GET', 'HEAD']],
    [1, 'pypi.org', '', []],
    [2, '*', '', ['GET']],
  ]);
  t.same(allowlist.toJSON(), {
    domains: ['api.anthropic.com', '*.githubusercontent.com'],
    url_prefixes: [
      { host: 'api.github.com', path: '/repos/org/*', methods: ['GET', 'HEAD'] },
      { host: 'pypi.org', path: '', methods: [] },
      { host: '*', path: '', methods: ['GET'] },
    ],
  });
  const copy = allowlistFromObject(JSON.parse(serializeAllowlist(allowlist)), 'proxy:/network-allowlist.json');
  t.same(copy.toJSON(), allowlist.toJSON(), 'JSON for the proxy reads back to the same rules');
  t.equal(copy.source, 'proxy:/network-allowlist.json');
  t.end();
});

void t.test('empty documents block everything', (t) => {
  for (const text of ['', '\n', '# nothing allowed yet\n', '---\n', '{}', 'domains:\nurl_prefixes:\n', 'domains: []\nurl_prefixes: []\n']) {
    const allowlist = parseAllowlist(text, SOURCE);
    t.equal(allowlist.isEmpty, true, JSON.stringify(text));
  }
  t.equal(allowlistFromObject(null, 'x').isEmpty, true);
  t.equal(allowlistFromObject({}, 'x').isEmpty, true);
  t.end();
});

void t.test('invalid allowlists fail with ALLOWLIST_INVALID naming file, line, key and value', (t) => {
  const text = [
    'domains:',                       // 1
    '  - api.anthropic.com',          // 2
    '  - "https://evil.example/x"',   // 3
    '  - 42',                         // 4
    'url_prefixes:',                  // 5
    '  - host: api.github.com',       // 6
    '    path: /repos/*',             // 7
    '    methods: [GET, GETT]',       // 8
    '  - host: ""',                   // 9
    '  - path: /x',                   // 10
    '    method: [GET]',              // 11
    'domain: [x]',                    // 12
  ].join('\n');
  const err = t.throws(() => parseAllowlist(text, SOURCE), { code: 'ALLOWLIST_INVALID', name: 'AllowlistError' }) as AllowlistError;
  // Line and column: a list item at the item, a key's problem at the key, a missing key at its entry.
  t.same(err.problems.map((p) => [p.line, p.path]), [
    [3, 'domains[1]'],
    [4, 'domains[2]'],
    [8, 'url_prefixes[0].methods[1]'],
    [9, 'url_prefixes[1].host'],
    [10, 'url_prefixes[2]'],
    [11, 'url_prefixes[2].method'],
    [12, 'domain'],
  ], 'problems in file order');
  t.match(err.message, /^Network allowlist \.airut\/network-allowlist\.yaml is invalid \(7 problems\):/);
  t.match(err.message, /\.airut\/network-allowlist\.yaml:12:1: domain: unknown key "domain"; valid keys are domains and url_prefixes/);
  t.match(err.message, /:3:5: domains\[1\]: "https:\/\/evil\.example\/x" includes a URL scheme; write the host only, e\.g\. "evil\.example"/);
  t.match(err.message, /:4:5: domains\[2\]: expected a string, got number 42/);
  t.match(err.message, /:8:20: url_prefixes\[0\]\.methods\[1\]: "GETT" is not an HTTP method; use one of GET, HEAD, POST/);
  t.match(err.message, /:9:5: url_prefixes\[1\]\.host: is empty; write a host name/);
  t.match(err.message, /:11:5: url_prefixes\[2\]\.method: unknown key "method"; valid keys are host, path, methods and graphql/);
  t.match(err.message, /:10:5: url_prefixes\[2\]: has no host:/);
  t.match(err.hint, /Fix \.airut\/network-allowlist\.yaml/);
  t.equal(err.exitCode, 1);
  t.end();
});

// [yaml, expected problem text (path and message)]
const invalid: [string, RegExp][] = [
  ['- a.com', /^1 : expected a mapping with domains: and url_prefixes:, got a list/],
  ['just text', /^1 : expected a mapping .* got the string "just text"/],
  ['domains: api.github.com', /^1 domains: expected a list, got the string "api.github.com"/],
  ['domains: [{host: a.com}]', /^1 domains\[0\]: expected a string, got a mapping/],
  ['domains: ["api.github.com/repos"]', /domains\[0\]: "api\.github\.com\/repos" includes a path; domains entries are host names only, use a url_prefixes entry/],
  ['domains: ["api.github.com:443"]', /includes a port or colon/],
  ['domains: ["api github.com"]', /contains whitespace/],
  ['domains: [" api.github.com"]', /contains whitespace/],
  ['domains: ["café.example"]', /contains "é"; host patterns may use letters, digits.*xn--/],
  ['domains: ["a@b.com"]', /contains "@"/],
  ['domains: ["[ab].example.com"]', /uses \[\.\.\.\] without \* or \?/],
  ['domains: ["*.[ab.example.com"]', /has a "\[" without a closing "\]"/],
  ['domains: ["*.[z-a].com"]', /"z-a" is reversed and matches nothing/],
  ['domains: [""]', /domains\[0\]: is empty/],
  ['domains: [".github.com"]', /"\.github\.com" starts with "\."; request hosts never do, so write "\*\.github\.com" for its subdomains \(and add "github\.com"/],
  ['domains: ["github.com."]', /"github\.com\." has an empty label; .* so write "github\.com"$/],
  ['domains: ["a..github.com"]', /has an empty label; .* so write "a\.github\.com"$/],
  ['url_prefixes: {host: a.com}', /url_prefixes: expected a list of \{host, path, methods, graphql\} entries, got a mapping/],
  ['url_prefixes: [a.com]', /url_prefixes\[0\]: expected a mapping with host, path and methods, got the string "a\.com"/],
  ['url_prefixes: [{host: 5}]', /url_prefixes\[0\]\.host: expected a host pattern \(a string\), got number 5/],
  ['url_prefixes: [{host: "a.com/x"}]', /put the host in host: and the path in path:/],
  ['url_prefixes: [{host: a.com, path: repos/*}]', /url_prefixes\[0\]\.path: "repos\/\*" does not start with "\/"/],
  ['url_prefixes: [{host: a.com, path: 7}]', /url_prefixes\[0\]\.path: expected a path pattern \(a string\), got number 7/],
  ['url_prefixes: [{host: a.com, path: }]', /url_prefixes\[0\]\.path: is empty \(null\)/],
  ['url_prefixes: [{host: a.com, path: "/a%2Fb"}]', /contains percent-encoding; paths are matched after decoding/],
  ['url_prefixes: [{host: a.com, path: "/a\\\\b"}]', /contains a backslash/],
  ['url_prefixes: [{host: a.com, path: "/a/../b"}]', /contains a "\.\." segment/],
  ['url_prefixes: [{host: a.com, path: "/a\\tb"}]', /contains a control or whitespace character other than a space/],
  ['url_prefixes: [{host: a.com, path: "/a "}]', /has leading or trailing whitespace/],
  ['url_prefixes: [{host: a.com, path: "/[9-0]*"}]', /"9-0" is reversed/],
  ['url_prefixes: [{host: a.com, methods: GET}]', /url_prefixes\[0\]\.methods: expected a list, got the string "GET"/],
  ['url_prefixes: [{host: a.com, methods: }]', /url_prefixes\[0\]\.methods: is empty \(null\)/],
  ['url_prefixes: [{host: a.com, methods: [1]}]', /url_prefixes\[0\]\.methods\[0\]: expected a string, got number 1/],
  ['url_prefixes: [{host: a.com, methods: [CONNECT]}]', /"CONNECT" can never be allowed/],
  ['url_prefixes: [{host: a.com, methods: ["GET "]}]', /"GET " is not an HTTP method/],
  ['url_prefixes: [{host: a.com, graphql: }]', /url_prefixes\[0\]\.graphql: is empty \(null\); give queries:/],
  ['url_prefixes: [{host: a.com, graphql: [repository]}]', /url_prefixes\[0\]\.graphql: expected a mapping with queries:, mutations: and subscriptions:/],
  ['url_prefixes: [{host: a.com, graphql: {query: ["*"]}}]', /url_prefixes\[0\]\.graphql\.query: unknown key "query"; valid keys are queries, mutations and subscriptions/],
  ['url_prefixes: [{host: a.com, graphql: {queries: repository}}]', /url_prefixes\[0\]\.graphql\.queries: expected a list, got the string "repository"/],
  ['url_prefixes: [{host: a.com, graphql: {queries: }}]', /url_prefixes\[0\]\.graphql\.queries: is empty \(null\)/],
  ['url_prefixes: [{host: a.com, graphql: {mutations: [1]}}]', /url_prefixes\[0\]\.graphql\.mutations\[0\]: expected a string, got number 1/],
  ['url_prefixes: [{host: a.com, graphql: {queries: ["a b"]}}]', /url_prefixes\[0\]\.graphql\.queries\[0\]: "a b" is not a field pattern/],
  ['url_prefixes: [{host: a.com, graphql: {queries: ["[z-a]*"]}}]', /url_prefixes\[0\]\.graphql\.queries\[0\]: .*reversed/],
  ['domains: [a.com]\ndomains: [b.com]', /^2 : not valid YAML: Map keys must be unique$/],
  ['domains: [a.com', /^1 : not valid YAML: /],
  ['domains: !env X', /^1 : not valid YAML: Unresolved tag: !env$/],
  ['a: 1\n---\nb: 2', /^2 : not valid YAML: Source contains multiple documents/],
];

void t.test('each kind of mistake is named with its key path', (t) => {
  for (const [text, expected] of invalid) {
    const problems = problemsOf(text);
    t.equal(problems.length, 1, `${JSON.stringify(text)} gives one problem: ${problems.join(' | ')}`);
    t.match(problems[0], expected, JSON.stringify(text));
  }
  t.end();
});

void t.test('allowlistFromObject validates the same way, without lines', (t) => {
  const err = t.throws(() => allowlistFromObject({ domains: ['ok.com', 'bad host'], url_prefixes: [{ host: 'x.com', methods: ['FETCH'] }] }, 'proxy:/network-allowlist.json'), { code: 'ALLOWLIST_INVALID' }) as AllowlistError;
  t.same(err.problems.map((p) => [p.line, p.path]), [[undefined, 'domains[1]'], [undefined, 'url_prefixes[0].methods[0]']]);
  t.match(err.message, /proxy:\/network-allowlist\.json: domains\[1\]: "bad host" contains whitespace/);
  t.end();
});

void t.test('an alias bomb is refused rather than expanded', (t) => {
  const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]', 'domains: [*c, *c, *c, *c, *c, *c, *c, *c, *c]'].join('\n');
  t.throws(() => parseAllowlist(bomb, SOURCE), { code: 'ALLOWLIST_INVALID' });
  t.end();
});

void t.test('a graphql: block is read, defaults its absent lists to [] and survives the JSON round trip to the proxy', (t) => {
  const allowlist = parseAllowlist([
    'url_prefixes:',
    '  - host: api.github.com',
    '    path: /graphql',
    '    methods: [POST]',
    '    graphql:',
    '      queries: [repository, "viewer*"]',
    '      mutations: [createPullRequest]',
    '  - host: api.github.com',
    '    path: /repos/*',
  ].join('\n'), '.airut/network-allowlist.yaml');
  const [withGraphql, without] = allowlist.urlPrefixes;
  t.same(withGraphql?.graphql, { queries: ['repository', 'viewer*'], mutations: ['createPullRequest'], subscriptions: [] });
  t.equal(without?.graphql, undefined, 'an entry without graphql: is not filtered');
  const json = JSON.parse(serializeAllowlist(allowlist)) as unknown;
  t.same(json, {
    domains: [],
    url_prefixes: [
      { host: 'api.github.com', path: '/graphql', methods: ['POST'], graphql: { queries: ['repository', 'viewer*'], mutations: ['createPullRequest'], subscriptions: [] } },
      { host: 'api.github.com', path: '/repos/*', methods: [] },
    ],
  });
  t.same(allowlistFromObject(json, 'proxy json').urlPrefixes[0]?.graphql, withGraphql?.graphql, 'the proxy reads the same block back');
  t.match(describeRule(withGraphql as UrlPrefixRule), /graphql operations filtered/);
  t.end();
});
