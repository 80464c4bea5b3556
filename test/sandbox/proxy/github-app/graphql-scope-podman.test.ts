import t from 'tap';
import { generateKeyPairSync } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { allowlistFromObject } from '../../../../src/sandbox/network/allowlist/index.js';
import { NetworkSandbox } from '../../../../src/sandbox/network/index.js';
import { startFakeGithub } from '../../../harness/fake-github/index.js';
import { testRuntime } from '../../../harness/podman.js';
import { builtPackageRoot, leftovers, runInTask, tempDir, testEgressNetwork, uniquePrefix } from '../../network/network-fixture.js';
import { accessLine } from '../../../harness/access-line.js';

// GraphQL repository scoping (GHA-06) through the real proxy in podman: an
// App narrowed to octo/repo; the fake GitHub lists that repository in the
// token answer and echoes /graphql. Queries inside the repository (by name,
// node id, variables) are answered by GitHub; queries outside, multi-repo
// fields and a query string are refused by the proxy and never reach it.

const runtime = testRuntime();
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PRIVATE_PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const PUBLIC_PEM = publicKey.export({ type: 'spki', format: 'pem' }).toString();

/** A repository node id: `R_` + url-safe base64 of MessagePack [0, uint32 id]. */
function repoNodeId(id: number): string {
  const bytes = Buffer.from([0x92, 0x00, 0xce, 0, 0, 0, 0]);
  bytes.writeUInt32BE(id, 3);
  return `R_${bytes.toString('base64url')}`;
}
const REPO_ID = 600123;
const REPO_NODE = repoNodeId(REPO_ID);
const OTHER_NODE = repoNodeId(600124);

void t.test('GraphQL through a repository-limited GitHub App token', async (t) => {
  const prefix = uniquePrefix();
  const packageRoot = await builtPackageRoot();
  const egressNetwork = await testEgressNetwork(t, runtime, prefix);
  const github = await startFakeGithub(t, runtime, `${prefix}-github`, egressNetwork, {
    names: ['api.github.test'], certDir: await tempDir(t, 'github-certs'), appId: '31337', installationId: 4711, publicKeyPem: PUBLIC_PEM,
    repositories: [
      { id: REPO_ID, node_id: REPO_NODE, full_name: 'octo/repo' },
      { id: 600124, node_id: OTHER_NODE, full_name: 'octo/other' },
    ],
  });

  const sandbox = new NetworkSandbox({
    runtime,
    resourcePrefix: prefix,
    caDir: await tempDir(t, 'ca'),
    allowlist: allowlistFromObject({ domains: ['api.github.test'], url_prefixes: [] }, 'test allowlist'),
    githubApps: [{
      name: 'GH_TOKEN', appId: '31337', privateKey: PRIVATE_PEM, installationId: 4711, baseUrl: 'https://api.github.test',
      scopes: ['api.github.test'], repositories: ['repo'],
    }],
    egressNetwork,
    upstreamHosts: { 'api.github.test': github.ip },
    upstreamCaFile: github.caFile,
    packageRoot,
    tmpDir: await tempDir(t, 'proxy-tmp'),
  });
  t.teardown(() => sandbox.close());
  const contextDir = await tempDir(t, 'context');
  const attachment = await sandbox.attach('gql', contextDir);
  t.teardown(() => attachment.release());

  const byName = JSON.stringify({ query: '{ repository(owner: "Octo", name: "repo") { id } }' });
  const byNode = JSON.stringify({ query: 'query($id: ID!) { node(id: $id) { id } }', variables: { id: REPO_NODE } });
  const outside = JSON.stringify({ query: '{ repository(owner: "octo", name: "other") { id } }' });
  const outsideNode = JSON.stringify({ query: 'mutation($i: AddStarInput!) { addStar(input: $i) { clientMutationId } }', variables: { i: { starrableId: OTHER_NODE } } });
  const search = JSON.stringify({ query: '{ search(query: "org:octo", type: REPOSITORY, first: 10) { repositoryCount } }' });
  const quote = (text: string): string => `'${text.replace(/'/g, `'"'"'`)}'`;
  const curl = 'curl -sS --max-time 30 -w "\\nstatus=%{http_code}" -H "Authorization: Bearer $GH_TOKEN" -H "content-type: application/json"';
  const steps: [string, string][] = [
    ['by-name', `${curl} --data-binary ${quote(byName)} https://api.github.test/graphql`],
    ['by-node', `${curl} --data-binary ${quote(byNode)} https://api.github.test/graphql`],
    ['outside', `${curl} --data-binary ${quote(outside)} https://api.github.test/graphql`],
    ['outside-node', `${curl} --data-binary ${quote(outsideNode)} https://api.github.test/graphql`],
    ['search', `${curl} --data-binary ${quote(search)} https://api.github.test/graphql`],
    ['query-string', `${curl} --data-binary ${quote(byName)} 'https://api.github.test/graphql?query=x'`],
  ];
  const script = ['update-ca-certificates >/dev/null 2>&1', ...steps.map(([name, command]) => `echo "### ${name}"; ( ${command} ) 2>&1; echo`)].join('\n');
  const result = await runInTask(runtime, attachment, script);
  t.equal(result.exitCode, 0, result.stderr);
  const outputs = new Map<string, string>();
  for (const part of result.stdout.split(/^### /m).slice(1)) {
    const newline = part.indexOf('\n');
    outputs.set(part.slice(0, newline), part.slice(newline + 1));
  }
  const answer = (name: string): { status: string; body: Record<string, unknown> } => {
    const text = outputs.get(name) ?? '';
    const status = /status=(\d+)/.exec(text)?.[1] ?? `none: ${text}`;
    return { status, body: JSON.parse(text.replace(/\nstatus=\d+\s*$/, '')) as Record<string, unknown> };
  };
  t.same(answer('by-name'), { status: '200', body: { data: { echo: '{ repository(owner: "Octo", name: "repo") { id } }' } } }, 'by name inside: answered by GitHub');
  t.same(answer('by-node'), { status: '200', body: { data: { echo: 'query($id: ID!) { node(id: $id) { id } }' } } }, 'by node id in a variable inside: answered');
  const refused = (name: string, detail: string): void => {
    const { status, body } = answer(name);
    t.equal(status, '403', `${name}: refused by the proxy`);
    t.equal(body.error, 'graphql_repo_scope_blocked', name);
    t.equal(body.detail, detail, name);
    t.match(body.message, /limited to the repositories repo/, `${name}: the message says what the token may reach`);
  };
  refused('outside', 'octo/other');
  refused('outside-node', OTHER_NODE);
  refused('search', '<multi-repo:search>');
  refused('query-string', 'query-params');

  await github.until(3);
  t.same(github.requests.map((r) => r.kind), ['mint', 'graphql', 'graphql'], 'one mint, and only the two allowed queries reached GitHub');
  t.same(JSON.parse(github.requests[0]?.body ?? ''), { repositories: ['repo'] });
  t.same(github.requests.filter((r) => r.kind === 'graphql').map((r) => [r.body, r.authorized]), [[byName, true], [byNode, true]], 'GitHub saw the allowed bodies with the real token');

  await attachment.release();
  const log = await readFile(join(contextDir, 'network-sandbox.log'), 'utf8');
  t.match(log, accessLine(/ALLOWED POST https:\/\/api\.github\.test\/graphql -> 200 \[github-app: refreshed, graphql-scoped\] \[github-app: cached\] \[masked: 1\]/));
  t.match(log, accessLine(/ALLOWED POST https:\/\/api\.github\.test\/graphql -> 200 \[github-app: graphql-scoped\] \[github-app: cached\] \[masked: 1\]/));
  t.match(log, accessLine(/BLOCKED POST https:\/\/api\.github\.test\/graphql -> 403 \[github-app: octo\/other\]/));
  t.match(log, accessLine(/BLOCKED POST https:\/\/api\.github\.test\/graphql\?query=x -> 403 \[github-app: query-params\]/));

  await sandbox.close();
  t.same(await leftovers(runtime, prefix), [], 'proxies and task networks removed');
});
