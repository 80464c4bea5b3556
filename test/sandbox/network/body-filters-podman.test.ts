import t from 'tap';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { testRuntime } from '../../harness/podman.js';
import { leftovers, runInTask, startRealTopology } from './network-fixture.js';
import { accessLine } from '../../harness/access-line.js';

// The body filters in the real proxy container: a task container sends
// Messages API and GraphQL requests with curl and with node; the fake
// upstream on the --internal egress network records every body it gets.

const runtime = testRuntime();

const messages = (tools: unknown[]): string => JSON.stringify({ model: 'claude-x', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }], tools });

void t.test('tool-domain trim, encodings, caps and the GraphQL allowlist through the proxy container', async (t) => {
  const topo = await startRealTopology(t, runtime, {
    allowlist: {
      domains: ['allowed.test'],
      url_prefixes: [
        { host: 'api.anthropic.com', path: '/v1/messages*', methods: ['POST'] },
        { host: 'other.test', path: '/graphql', methods: ['POST'], graphql: { queries: ['viewer', 'repository'], mutations: [], subscriptions: [] } },
      ],
    },
    hosts: ['allowed.test', 'api.anthropic.com', 'other.test'],
  });
  const { attachment, upstream } = topo;

  const trim = messages([{ type: 'web_fetch_20250910', name: 'web_fetch', allowed_domains: ['allowed.test', 'evil.example'] }]);
  const inject = messages([{ type: 'web_fetch_20250910', name: 'web_fetch' }]);
  const blocklist = messages([{ type: 'web_fetch_20250910', name: 'web_fetch', blocked_domains: ['evil.example'] }]);
  const wildcard = messages([{ type: 'web_fetch_20250910', name: 'web_fetch', allowed_domains: ['*.example'] }]);
  const batch = JSON.stringify({ requests: [{ custom_id: 'a', params: { model: 'm', max_tokens: 1, messages: [], tools: [{ type: 'web_search_20250305', name: 's', allowed_domains: ['evil.example', 'allowed.test'] }] } }] });
  const plain = messages([{ name: 'Bash', description: 'run', input_schema: { type: 'object' } }]);
  const gqlAllowed = JSON.stringify({ query: 'query { me: viewer { login } ... on Query { repository(owner: "o", name: "r") { id } } }' });
  const gqlMutation = JSON.stringify({ query: 'mutation { deleteRepository(input: {}) { clientMutationId } }' });
  const quote = (text: string): string => `'${text.replace(/'/g, `'"'"'`)}'`;

  const curl = 'curl -sS --max-time 20 -o /dev/stdout -w "\\nstatus=%{http_code}\\n" -H "content-type: application/json"';
  const node = (body: string, path: string): string => `/usr/local/bin/node --input-type=module -e ${quote(`
    const res = await fetch('https://api.anthropic.com${path}', { method: 'POST', headers: { 'content-type': 'application/json' }, body: process.argv[1] });
    console.log(await res.text()); console.log('status=' + res.status);
  `)} ${quote(body)}`;
  const steps: [string, string][] = [
    ['trim', `${curl} --data-binary ${quote(trim)} https://api.anthropic.com/v1/messages`],
    ['inject', `${curl} --data-binary ${quote(inject)} https://api.anthropic.com/v1/messages`],
    ['blocklist', `${curl} --data-binary ${quote(blocklist)} https://api.anthropic.com/v1/messages`],
    ['wildcard', `${curl} --data-binary ${quote(wildcard)} https://api.anthropic.com/v1/messages`],
    ['batch', `${curl} --data-binary ${quote(batch)} https://api.anthropic.com/v1/messages/batches`],
    ['gzip', `printf '%s' ${quote(trim)} | gzip > /tmp/b.gz; ${curl} -H "content-encoding: gzip" --data-binary @/tmp/b.gz https://api.anthropic.com/v1/messages`],
    ['unknown-encoding', `${curl} -H "content-encoding: zstd" --data-binary ${quote(trim)} https://api.anthropic.com/v1/messages`],
    ['too-large', `head -c 34000000 /dev/zero | tr '\\0' ' ' > /tmp/big; ${curl} --data-binary @/tmp/big https://api.anthropic.com/v1/messages`],
    ['invalid-json', `${curl} --data-binary '{"tools": [' https://api.anthropic.com/v1/messages`],
    ['encoded-path', `${curl} --path-as-is --data-binary ${quote(blocklist)} https://api.anthropic.com/v1/messag%65s`],
    ['plain', `${curl} --data-binary ${quote(plain)} https://api.anthropic.com/v1/messages?beta=true`],
    ['node-trim', node(trim, '/v1/messages?beta=true')],
    ['node-blocklist', node(blocklist, '/v1/messages')],
    ['gql-allowed', `${curl} --data-binary ${quote(gqlAllowed)} https://other.test/graphql`],
    ['gql-mutation', `${curl} --data-binary ${quote(gqlMutation)} https://other.test/graphql`],
    // Over 1 MiB of valid JSON, made in the container (too big for an argv).
    ['gql-big', `{ printf '{"query":"{ viewer { login } }'; head -c 1100000 /dev/zero | tr '\\0' ' '; printf '"}'; } > /tmp/gql; ${curl} --data-binary @/tmp/gql https://other.test/graphql`],
  ];
  const script = steps.map(([name, command]) => `echo "### ${name}"; ( ${command} ) 2>&1; echo`).join('\n');
  const result = await runInTask(runtime, attachment, script, ['-v', `${process.execPath}:/usr/local/bin/node:ro`]);
  const outputs = new Map<string, string>();
  for (const part of result.stdout.split(/^### /m).slice(1)) {
    const newline = part.indexOf('\n');
    outputs.set(part.slice(0, newline), part.slice(newline + 1));
  }
  const statusOf = (name: string): string => /status=(\d+)/.exec(outputs.get(name) ?? '')?.[1] ?? `none: ${outputs.get(name) ?? result.stderr}`;
  const expected: Record<string, string> = {
    trim: '200', inject: '200', blocklist: '403', wildcard: '403', batch: '200', gzip: '200', 'unknown-encoding': '403',
    'too-large': '403', 'invalid-json': '403', 'encoded-path': '403', plain: '200', 'node-trim': '200', 'node-blocklist': '403',
    'gql-allowed': '200', 'gql-mutation': '403', 'gql-big': '403',
  };
  for (const [name, status] of Object.entries(expected)) t.equal(statusOf(name), status, name, { output: outputs.get(name) });
  t.match(outputs.get('blocklist'), /"error":"blocklist_tool_config_unsupported"/);
  t.match(outputs.get('unknown-encoding'), /"error":"filter_error".*"detail":"<tool-domains: UnsupportedEncoding>"/);
  t.match(outputs.get('too-large'), /"error":"tool_config_too_large"/);
  t.match(outputs.get('gql-mutation'), /"detail":"mutation:<blocked>"/);
  t.match(outputs.get('gql-big'), /"detail":"<too-large>"/);

  const trimmed = messages([{ type: 'web_fetch_20250910', name: 'web_fetch', allowed_domains: ['allowed.test'] }]);
  const injected = messages([{ type: 'web_fetch_20250910', name: 'web_fetch', allowed_domains: [] }]);
  const batchSeen = JSON.stringify({ requests: [{ custom_id: 'a', params: { model: 'm', max_tokens: 1, messages: [], tools: [{ type: 'web_search_20250305', name: 's', allowed_domains: ['allowed.test'] }] } }] });
  t.same(upstream.requests.map((r) => [r.url, r.body]), [
    ['/v1/messages', trimmed],
    ['/v1/messages', injected],
    ['/v1/messages/batches', batchSeen],
    ['/v1/messages', trimmed],
    ['/v1/messages?beta=true', plain],
    ['/v1/messages?beta=true', trimmed],
    ['/graphql', gqlAllowed],
  ], 'the upstream saw exactly the expected bodies, and nothing that was blocked');

  const log = await readFile(join(topo.contextDir, 'network-sandbox.log'), 'utf8');
  t.match(log, accessLine(/ALLOWED POST https:\/\/api\.anthropic\.com\/v1\/messages -> 200 \[tool-domains: web_fetch_20250910: dropped 1 of 2 domains: evil\.example\]/));
  t.match(log, accessLine(/BLOCKED POST https:\/\/api\.anthropic\.com\/v1\/messag%65s -> 403 \[tool-domains: web_fetch_20250910: blocked-domains\]/));
  t.match(log, accessLine(/ALLOWED POST https:\/\/other\.test\/graphql -> 200 \[graphql-op: query\/viewer\]/));
  t.match(log, accessLine(/BLOCKED POST https:\/\/other\.test\/graphql -> 403 \[graphql-op: mutation\/deleteRepository\]/));

  await attachment.release();
  t.same(await leftovers(runtime, topo.prefix), []);
});
