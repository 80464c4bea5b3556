import t, { type Test } from 'tap';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { send, startTestProxy, type SeenRequest, type TestProxy } from './proxy-harness.js';

// The body-filter pipeline through the real proxy (in-process) and a real
// HTTPS upstream named api.anthropic.com: what is forwarded, rewritten or
// refused, what the upstream receives, and what the log says.

const CERTS = fileURLToPath(new URL('../../harness/fake-upstream/certs/', import.meta.url));

interface Upstream {
  port: number;
  seen: SeenRequest[];
}

/** An HTTPS upstream with a certificate for api.anthropic.com (and the *.test names), recording every request. */
async function anthropicUpstream(t: Test): Promise<Upstream> {
  const seen: SeenRequest[] = [];
  const server: Server = createServer({ key: readFileSync(join(CERTS, 'server-key.pem')), cert: readFileSync(join(CERTS, 'server-cert.pem')) }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', rawHeaders: req.rawHeaders, headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"upstream":"fake"}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }));
  return { port: (server.address() as AddressInfo).port, seen };
}

const ALLOWLIST = {
  domains: ['allowed.test'],
  url_prefixes: [
    { host: 'api.anthropic.com', path: '/v1/*', methods: ['POST', 'GET'] },
    { host: 'docs.test', methods: ['GET'] },
    { host: 'post-only.test', methods: ['POST'] },
    { host: 'narrow.test', path: '/docs/*' },
    { host: 'other.test', path: '/graphql', methods: ['POST'], graphql: { queries: ['repository', 'viewer', 'node*'], mutations: ['addComment'] } },
    { host: 'other.test', path: '/open-graphql', methods: ['POST'] },
  ],
};

async function setup(t: Test, secrets?: object): Promise<{ tp: TestProxy; upstream: Upstream }> {
  const upstream = await anthropicUpstream(t);
  let secretsFile: string | undefined;
  if (secrets !== undefined) {
    secretsFile = join(t.testdir(), 'secrets.json');
    await writeFile(secretsFile, JSON.stringify(secrets));
  }
  const tp = await startTestProxy(t, {
    allowlist: ALLOWLIST,
    httpsPort: upstream.port,
    ...(secretsFile === undefined ? {} : { secretsFile }),
    extra: {
      upstream_ca_file: join(CERTS, 'ca-cert.pem'),
      upstream_hosts: Object.fromEntries(['api.anthropic.com', 'allowed.test', 'other.test'].map((h) => [h, '127.0.0.1'])),
    },
  });
  return { tp, upstream };
}

const messages = (tools: unknown[], extra: Record<string, unknown> = {}): string => JSON.stringify({ model: 'claude-x', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }], tools, ...extra });
const post = (tp: TestProxy, body: string | Buffer, options: { path?: string; headers?: Record<string, string>; host?: string } = {}) => send(tp, {
  host: options.host ?? 'api.anthropic.com',
  method: 'POST',
  path: options.path ?? '/v1/messages?beta=true',
  headers: { 'content-type': 'application/json', ...options.headers },
  body,
});
const bodyOf = (upstream: Upstream, i: number): unknown => JSON.parse(upstream.seen[i]?.body.toString('utf8') ?? 'null');
const lastLine = (tp: TestProxy): string => tp.logText().trim().split('\n').at(-1) ?? '';

void t.test('allowed_domains are trimmed to GET-open hosts; a missing list becomes []', async (t) => {
  const { tp, upstream } = await setup(t);
  const res = await post(tp, messages([
    { type: 'web_fetch_20250910', name: 'web_fetch', allowed_domains: ['allowed.test', 'evil.example', 'docs.test', 'post-only.test', 'narrow.test', 'ALLOWED.test'] },
    { type: 'custom', name: 'mine', input_schema: { type: 'object' } },
  ]));
  t.equal(res.status, 200);
  t.same((bodyOf(upstream, 0) as { tools: unknown[] }).tools, [
    { type: 'web_fetch_20250910', name: 'web_fetch', allowed_domains: ['allowed.test', 'docs.test', 'ALLOWED.test'] },
    { type: 'custom', name: 'mine', input_schema: { type: 'object' } },
  ]);
  t.equal(lastLine(tp), `ALLOWED POST https://api.anthropic.com/v1/messages?beta=true -> 200 [tool-domains: web_fetch_20250910: dropped 3 of 6 domains: evil.example,post-only.test,narrow.test] [up: ${upstream.seen[0]?.body.length}] [down: 19]`);
  t.equal(upstream.seen[0]?.headers['content-length'], String(upstream.seen[0]?.body.length), 'Content-Length follows the rewrite');

  await post(tp, messages([{ type: 'Web_Fetch_20250910', name: 'web_fetch' }, { type: 'code_execution_20250825', name: 'code' }]));
  t.same((bodyOf(upstream, 1) as { tools: unknown[] }).tools, [
    { type: 'Web_Fetch_20250910', name: 'web_fetch', allowed_domains: [] },
    { type: 'code_execution_20250825', name: 'code', allowed_domains: [] },
  ], 'default-deny tools get allowed_domains: [] (type matched in any case)');
  t.match(lastLine(tp), /\[tool-domains: Web_Fetch_20250910: forced allowed_domains: \[\]; code_execution_20250825: forced allowed_domains: \[\]\] \[up: \d+\] \[down: 19\]$/);
});

void t.test('web_search: untouched without a list; a list trimmed to nothing is removed', async (t) => {
  const { tp, upstream } = await setup(t);
  const untouched = messages([{ type: 'web_search_20250305', name: 'web_search' }]);
  await post(tp, untouched);
  t.equal(upstream.seen[0]?.body.toString(), untouched);
  await post(tp, messages([{ type: 'web_search_20250305', name: 'web_search', allowed_domains: ['evil.example'] }]));
  t.same((bodyOf(upstream, 1) as { tools: unknown[] }).tools, [{ type: 'web_search_20250305', name: 'web_search' }]);
  t.match(lastLine(tp), /\[tool-domains: web_search_20250305: cleared allowed_domains \(1 outside allowlist: evil\.example\)\] \[up: \d+\] \[down: 19\]$/);
  await post(tp, messages([{ type: 'web_search_20250305', name: 'web_search', allowed_domains: [] }]));
  t.match(lastLine(tp), /removed empty allowed_domains\] \[up: \d+\] \[down: 19\]$/);
});

void t.test('blocked_domains and wildcards are refused, and the upstream sees nothing', async (t) => {
  const { tp, upstream } = await setup(t);
  const cases: [unknown, string, string][] = [
    [{ type: 'web_fetch_20250910', name: 'f', blocked_domains: ['evil.example'] }, 'blocklist_tool_config_unsupported', 'web_fetch_20250910: blocked-domains'],
    [{ type: 'web_fetch_20250910', name: 'f', blocked_domains: 'evil.example' }, 'blocklist_tool_config_unsupported', 'web_fetch_20250910: blocked-domains'],
    [{ type: 'web_search_20250305', name: 's', allowed_domains: ['*.test'] }, 'wildcard_tool_domain_unsupported', 'web_search_20250305: wildcard'],
    [{ type: 'web_fetch_20250910', name: 'f', allowed_domains: ['allowed.test', '.test'] }, 'wildcard_tool_domain_unsupported', 'web_fetch_20250910: wildcard'],
    [{ type: 'web_fetch_20250910', name: 'f', allowed_domains: ['allowed.test', 'a b'] }, 'wildcard_tool_domain_unsupported', 'web_fetch_20250910: wildcard'],
    [{ type: 'web_fetch_20250910', name: 'f', allowed_domains: [''] }, 'wildcard_tool_domain_unsupported', 'web_fetch_20250910: wildcard'],
    [{ type: 'web_fetch_20250910', name: 'f', allowed_domains: [7] }, 'wildcard_tool_domain_unsupported', 'web_fetch_20250910: wildcard'],
    [{ type: 'web_fetch_20250910', name: 'f', allowed_domains: ['allowed?test'] }, 'wildcard_tool_domain_unsupported', 'web_fetch_20250910: wildcard'],
  ];
  for (const [tool, error, tag] of cases) {
    const res = await post(tp, messages([tool]));
    t.equal(res.status, 403, JSON.stringify(tool));
    const answer = JSON.parse(res.body) as Record<string, string>;
    t.same(Object.keys(answer).sort(), ['detail', 'error', 'message']);
    t.equal(answer.error, error);
    t.match(answer.message, /network-allowlist\.yaml/);
    t.equal(lastLine(tp), `BLOCKED POST https://api.anthropic.com/v1/messages?beta=true -> 403 [tool-domains: ${tag}]`);
  }
  t.equal(upstream.seen.length, 0);
});

void t.test('every tools array is found: Batches, and nested deep in the body', async (t) => {
  const { tp, upstream } = await setup(t);
  const batch = JSON.stringify({
    requests: [
      { custom_id: 'a', params: { model: 'm', max_tokens: 1, messages: [], tools: [{ type: 'web_fetch_20250910', name: 'f', allowed_domains: ['evil.example', 'allowed.test'] }] } },
      { custom_id: 'b', params: { model: 'm', max_tokens: 1, messages: [], tools: [{ type: 'bash_20250124', name: 'bash' }] } },
    ],
  });
  t.equal((await post(tp, batch, { path: '/v1/messages/batches' })).status, 200);
  const seen = bodyOf(upstream, 0) as { requests: { params: { tools: unknown[] } }[] };
  t.same(seen.requests[0]?.params.tools, [{ type: 'web_fetch_20250910', name: 'f', allowed_domains: ['allowed.test'] }]);
  t.same(seen.requests[1]?.params.tools, [{ type: 'bash_20250124', name: 'bash', allowed_domains: [] }]);
  t.equal((await post(tp, batch.replace('"allowed_domains":["evil.example","allowed.test"]', '"blocked_domains":["x.test"]'), { path: '/v1/messages/batches' })).status, 403);
  t.equal(upstream.seen.length, 1);
});

void t.test('the gate is the decoded path on api.anthropic.com, whatever entry matched', async (t) => {
  const { tp, upstream } = await setup(t);
  const bad = messages([{ type: 'web_fetch_20250910', name: 'f', blocked_domains: ['x.test'] }]);
  for (const path of ['/v1/messag%65s', '/v1/messages', '/v1/%6Dessages?beta=true', '/v1/messages/count_tokens', '/v1/messages/batches/x', '/v1/Messages', '/v1/messages;v=1', '/v1/messages.json']) {
    t.equal((await post(tp, bad, { path })).status, 403, path);
  }
  t.equal((await post(tp, bad, { path: '/v1/messages_legacy' })).status, 200, 'a path that merely starts with /v1/messages is not the Messages API');
  t.equal((await post(tp, bad, { host: 'allowed.test', path: '/v1/messages' })).status, 200, 'other hosts stream their bodies unread');
  t.equal(upstream.seen.length, 2);
  t.equal(upstream.seen[1]?.body.toString(), bad);
});

void t.test('a Claude Code-like request passes byte for byte; an empty body passes', async (t) => {
  const { tp, upstream } = await setup(t);
  // Odd spacing, escapes and non-ASCII: anything re-serialised would differ.
  const body = '{ "model" : "claude-x", "stream":true, "messages":[{"role":"user","content":"h\\u00e9llo — ✓ \\ud83d\\ude00"}],\n "tools":[{"name":"Bash","description":"run","input_schema":{"type":"object","properties":{"tools":{"type":"array"}}}}], "max_tokens": 1.50e3 }';
  await post(tp, body);
  t.ok(upstream.seen[0]?.body.equals(Buffer.from(body)), 'the upstream got the exact bytes');
  t.equal(lastLine(tp), `ALLOWED POST https://api.anthropic.com/v1/messages?beta=true -> 200 [up: ${Buffer.byteLength(body)}] [down: 19]`);
  const res = await send(tp, { host: 'api.anthropic.com', path: '/v1/messages/batches' });
  t.equal(res.status, 200, 'GET without a body (list batches) passes');
  t.equal(upstream.seen[1]?.headers['content-length'], undefined, 'no framing was added to a bodiless GET');
});

void t.test('encodings: gzip, deflate and br are decoded; a rewrite goes out plain; unknown encodings fail closed', async (t) => {
  const { tp, upstream } = await setup(t);
  const clean = Buffer.from(messages([{ type: 'custom', name: 'x' }]));
  const gz = gzipSync(clean);
  await post(tp, gz, { headers: { 'content-encoding': 'gzip' } });
  t.ok(upstream.seen[0]?.body.equals(gz), 'a passing gzip body is forwarded as sent');
  t.equal(upstream.seen[0]?.headers['content-encoding'], 'gzip');

  const dirty = Buffer.from(messages([{ type: 'web_fetch_20250910', name: 'f', allowed_domains: ['evil.example'] }]));
  for (const [coding, encode] of [['gzip', gzipSync], ['deflate', deflateSync], ['br', brotliCompressSync]] as const) {
    const before = upstream.seen.length;
    t.equal((await post(tp, encode(dirty), { headers: { 'content-encoding': coding } })).status, 200, coding);
    const seen = upstream.seen[before];
    t.equal(seen?.headers['content-encoding'], undefined, `${coding}: the rewritten body goes out without Content-Encoding`);
    t.same((bodyOf(upstream, before) as { tools: unknown[] }).tools, [{ type: 'web_fetch_20250910', name: 'f', allowed_domains: [] }]);
  }
  t.equal((await post(tp, gzipSync(gzipSync(dirty)), { headers: { 'content-encoding': 'gzip, gzip' } })).status, 200, 'stacked codings are undone in order');

  const count = upstream.seen.length;
  const failures: [Buffer, Record<string, string>, RegExp][] = [
    [dirty, { 'content-encoding': 'zstd' }, /^<tool-domains: UnsupportedEncoding>$/],
    [dirty, { 'content-encoding': 'gzip' }, /^<tool-domains: Error>$/],
    [gzipSync(dirty), { 'content-encoding': 'gzip, rot13' }, /^<tool-domains: UnsupportedEncoding>$/],
  ];
  for (const [body, headers, detail] of failures) {
    const res = await post(tp, body, { headers });
    t.equal(res.status, 403, JSON.stringify(headers));
    const answer = JSON.parse(res.body) as Record<string, string>;
    t.equal(answer.error, 'filter_error');
    t.match(answer.detail, detail);
    t.match(lastLine(tp), /^BLOCKED POST .* -> 403 \[tool-domains: <error: \w+>\]$/);
  }
  t.equal(upstream.seen.length, count, 'nothing undecodable reached the upstream');
});

void t.test('size caps: a raw body over 32 MiB and a compression bomb are refused unread', async (t) => {
  const { tp, upstream } = await setup(t);
  const big = Buffer.alloc(32 * 1024 * 1024 + 10, 0x20);
  const res = await post(tp, big);
  t.equal(res.status, 403);
  t.match(JSON.parse(res.body), { error: 'tool_config_too_large', detail: '<too-large>' });
  const bomb = gzipSync(Buffer.alloc(40 * 1024 * 1024, 0x20));
  const res2 = await post(tp, bomb, { headers: { 'content-encoding': 'gzip' } });
  t.equal(res2.status, 403);
  t.match(JSON.parse(res2.body), { error: 'tool_config_too_large' });
  t.equal(upstream.seen.length, 0);
  t.match(lastLine(tp), /\[tool-domains: <too-large>\]$/);
});

void t.test('invalid JSON, duplicate keys, invalid UTF-8 and absurd nesting are refused', async (t) => {
  const { tp, upstream } = await setup(t);
  const bodies = [
    '{"tools": [',
    '\ufeff{"tools": []}',
    // A parser keeping the first "tools" would see the web_fetch tool; JavaScript keeps the last.
    '{"tools":[{"type":"web_fetch_20250910","name":"f","allowed_domains":["evil.example"]}],"tools":[]}',
    '{"tools":[{"type":"web_fetch_20250910","name":"f"}],"\\u0074ools":[]}',
    Buffer.concat([Buffer.from('{"messages":"'), Buffer.from([0xc0, 0xae]), Buffer.from('"}')]),
    `${'['.repeat(600)}${']'.repeat(600)}`,
  ];
  for (const body of bodies) {
    const res = await post(tp, body);
    t.equal(res.status, 403, String(body).slice(0, 40));
    t.match(JSON.parse(res.body), { error: 'tool_config_invalid', detail: '<invalid-json>' });
  }
  t.equal(upstream.seen.length, 0);
  t.equal((await post(tp, '"just a string"')).status, 200, 'a scalar body has no tools and passes');
});

void t.test('a client that expects 100-continue gets it only for an allowed URL, and its body is still judged', async (t) => {
  const { tp, upstream } = await setup(t);
  const res = await post(tp, messages([{ type: 'web_fetch_20250910', name: 'f' }]), { headers: { expect: '100-continue' } });
  t.equal(res.status, 200);
  t.same((bodyOf(upstream, 0) as { tools: unknown[] }).tools, [{ type: 'web_fetch_20250910', name: 'f', allowed_domains: [] }]);
});

const KEY = 'sk-ant-api03-REALrealREALrealREALrealREALreal0123456789';
const SURROGATE = 'sk-ant-api03-SURRsurrSURRsurrSURRsurrSURRsurr9876543210';
const TOKEN = 'sk-ant-oat01-REALtokenREALtokenREALtokenREALtoken0123';
const TOKEN_SURROGATE = 'sk-ant-oat01-SURRtokenSURRtokenSURRtokenSURRtoken9876';

void t.test('with the API key masked in x-api-key, a foreign Authorization to api.anthropic.com is stripped', async (t) => {
  const { tp, upstream } = await setup(t, {
    version: 1,
    secrets: [{ name: 'ANTHROPIC_API_KEY', surrogate: SURROGATE, value: KEY, scopes: ['api.anthropic.com'], headers: ['x-api-key'], allowForeignCredentials: false }],
  });
  await post(tp, messages([]), { headers: { 'x-api-key': SURROGATE, authorization: 'Bearer sk-ant-oat01-attacker' } });
  const headers = upstream.seen[0]?.headers ?? {};
  t.equal(headers['x-api-key'], KEY);
  t.equal(headers.authorization, undefined);
  t.match(tp.logText(), /^STRIPPED header 'authorization' from POST https:\/\/api\.anthropic\.com\/v1\/messages\?beta=true \(foreign credential blocked\)$/m);
  t.match(lastLine(tp), /\[masked: 1\] \[dropped: 1\] \[up: \d+\] \[down: 19\]$/);
  await post(tp, messages([]), { headers: { 'x-api-key': 'sk-ant-api03-attacker' } });
  t.equal(upstream.seen[1]?.headers['x-api-key'], undefined, 'a foreign key in its own header is stripped too');
  await send(tp, { host: 'allowed.test', path: '/x', headers: { authorization: 'Bearer mine' } });
  t.equal(upstream.seen[2]?.headers.authorization, 'Bearer mine', 'other hosts keep their Authorization');
});

void t.test('with the OAuth token masked in Authorization, a foreign x-api-key is stripped', async (t) => {
  const { tp, upstream } = await setup(t, {
    version: 1,
    secrets: [{ name: 'CLAUDE_CODE_OAUTH_TOKEN', surrogate: TOKEN_SURROGATE, value: TOKEN, scopes: ['api.anthropic.com'], headers: ['Authorization'], allowForeignCredentials: false }],
  });
  await post(tp, messages([]), { headers: { authorization: `Bearer ${TOKEN_SURROGATE}`, 'X-Api-Key': 'sk-ant-api03-attacker' } });
  const headers = upstream.seen[0]?.headers ?? {};
  t.equal(headers.authorization, `Bearer ${TOKEN}`);
  t.equal(headers['x-api-key'], undefined);
  t.match(tp.logText(), /^STRIPPED header 'x-api-key' from POST/m);
});

void t.test('with both masked, or foreign credentials allowed, nothing extra is stripped', async (t) => {
  const { tp, upstream } = await setup(t, {
    version: 1,
    secrets: [
      { name: 'ANTHROPIC_API_KEY', surrogate: SURROGATE, value: KEY, scopes: ['api.anthropic.com'], headers: ['x-api-key'], allowForeignCredentials: true },
    ],
  });
  await post(tp, messages([]), { headers: { 'x-api-key': SURROGATE, authorization: 'Bearer own' } });
  t.equal(upstream.seen[0]?.headers.authorization, 'Bearer own');
});

const gql = (tp: TestProxy, body: unknown, path = '/graphql') => post(tp, typeof body === 'string' ? body : JSON.stringify(body), { host: 'other.test', path });

void t.test('GraphQL: allowed operations pass with their tag, others are blocked before the upstream', async (t) => {
  const { tp, upstream } = await setup(t);
  const allowed: [unknown, string][] = [
    [{ query: '{ repository(owner: "a", name: "b") { id } }' }, 'query/repository'],
    [{ query: 'query Q { viewer { login } repo: repository(owner: "a", name: "b") { id } }' }, 'query/viewer'],
    [{ query: 'mutation { addComment(input: {}) { clientMutationId } }' }, 'mutation/addComment'],
    [{ query: 'query { ... on Query { viewer { login } ... on Query { nodes(ids: []) { id } } } }' }, 'query/viewer'],
    [{ query: 'query A { viewer { id } } mutation B { addComment(input: {}) { clientMutationId } }', operationName: 'B' }, 'mutation/addComment'],
    [{ query: 'query Only { viewer { id } }', operationName: 'Other' }, 'query/viewer'],
  ];
  for (const [body, tag] of allowed) {
    const res = await gql(tp, body);
    t.equal(res.status, 200, JSON.stringify(body));
    t.equal(lastLine(tp), `ALLOWED POST https://other.test/graphql -> 200 [graphql-op: ${tag}] [up: ${upstream.seen.at(-1)?.body.length}] [down: 19]`);
  }
  const passed = upstream.seen.length;
  t.equal(passed, allowed.length);

  const big = { query: `{ viewer { id } }${' '.repeat(1024 * 1024)}` };
  const blocked: [unknown, string, string | undefined][] = [
    [{ query: 'mutation { deleteRepository(input: {}) { clientMutationId } }' }, 'deleteRepository', 'mutation/deleteRepository'],
    [{ query: '{ viewer { id } secret: deleteIssue { id } }' }, 'deleteIssue', 'query/deleteIssue'],
    [{ query: 'subscription { viewer { id } }' }, 'subscription:<blocked>', 'subscription/viewer'],
    [{ query: '{ __schema { types { name } } }' }, '__schema', 'query/__schema'],
    [{ query: 'query { ...F } fragment F on Query { viewer { id } }' }, '<fragment-spread>', undefined],
    [{ query: 'query { ... on Query { ...F } } fragment F on Query { deleteIssue { id } }' }, '<fragment-spread>', undefined],
    [{ query: 'query { ... on Query { ... on Query { ... on Query { deleteIssue { id } } } } }' }, '<fragment-spread>', undefined],
    [[{ query: '{ viewer { id } }' }], '<batched>', undefined],
    [{ query: 'query A { viewer { id } } mutation B { deleteIssue { id } }' }, '<operation-name-invalid>', undefined],
    [{ query: 'query A { viewer { id } } query A { deleteIssue { id } }', operationName: 'A' }, '<operation-name-invalid>', undefined],
    [{ query: '{ viewer ' }, '<unparseable>', undefined],
    [{ query: 7 }, '<unparseable>', undefined],
    [{ variables: {} }, '<unparseable>', undefined],
    ['not json', '<unparseable>', undefined],
    ['{"query":"{ viewer { id } }","query":"mutation { deleteIssue { id } }"}', '<unparseable>', undefined],
    [{ query: 'fragment F on Query { viewer { id } }' }, '<unparseable>', undefined],
    [big, '<too-large>', undefined],
  ];
  for (const [body, detail, tag] of blocked) {
    const res = await gql(tp, body);
    t.equal(res.status, 403, `${JSON.stringify(body).slice(0, 80)} is blocked`);
    t.same(JSON.parse(res.body), {
      error: 'graphql_operation_blocked',
      message: `GraphQL operation '${detail}' is not in the operation allowlist. To request access, update the graphql block in .airut/network-allowlist.yaml and submit a PR.`,
      detail,
    });
    t.equal(lastLine(tp), `BLOCKED POST https://other.test/graphql -> 403${tag === undefined ? '' : ` [graphql-op: ${tag}]`}`);
  }
  t.equal(upstream.seen.length, passed, 'the upstream never saw a blocked operation');
  t.equal((await gql(tp, { query: 'mutation { deleteIssue { id } }' }, '/open-graphql')).status, 200, 'an entry without graphql: is not filtered');
});

void t.test('GraphQL: __schema passes with an explicit pattern or *', async (t) => {
  const upstream = await anthropicUpstream(t);
  const tp = await startTestProxy(t, {
    allowlist: { domains: [], url_prefixes: [{ host: 'other.test', path: '/graphql', graphql: { queries: ['__schema'] } }, { host: 'other.test', path: '/star', graphql: { queries: ['*'] } }] },
    httpsPort: upstream.port,
    extra: { upstream_ca_file: join(CERTS, 'ca-cert.pem'), upstream_hosts: { 'other.test': '127.0.0.1' } },
  });
  t.equal((await gql(tp, { query: '{ __schema { types { name } } }' })).status, 200);
  t.equal((await gql(tp, { query: '{ __schema { types { name } } }' }, '/star')).status, 200);
  t.equal((await gql(tp, { query: '{ __type(name: "X") { name } }' })).status, 403);
});
