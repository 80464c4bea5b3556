import t from 'tap';
import { checkRepoScope, type AllowedRepos } from '../../../../src/sandbox/proxy/github-app/graphql-repo-scope.js';
import { decodeNodeId } from '../../../../src/sandbox/proxy/github-app/node-id.js';

// The GraphQL repository scope (GHA-06) as a table: each query is judged
// against a token allowed only octo/repo (database id 1296269). Node ids are
// built by hand: `PREFIX_` + url-safe base64 of MessagePack [0, repo, ...].

const ALLOWED_DB = 1296269;
const FOREIGN_DB = 7777777;
const allowed: AllowedRepos = { fullNames: new Set(['octo/repo']), databaseIds: new Set([ALLOWED_DB]) };

/** MessagePack of an array of unsigned integers (uint32 for big ones, as GitHub writes them). */
function msgpackInts(values: number[]): Buffer {
  const parts = [Buffer.from([0x90 + values.length])];
  for (const v of values) {
    if (v < 0x80) parts.push(Buffer.from([v]));
    else {
      const b = Buffer.alloc(5);
      b[0] = 0xce;
      b.writeUInt32BE(v, 1);
      parts.push(b);
    }
  }
  return Buffer.concat(parts);
}
const nodeId = (prefix: string, ...values: number[]): string => `${prefix}_${msgpackInts(values).toString('base64url')}`;
const legacyId = (type: string, id: number): string => Buffer.from(`${String(type.length).padStart(2, '0')}:${type}${id}`).toString('base64');

const REPO = nodeId('R', 0, ALLOWED_DB);
const FOREIGN_REPO = nodeId('R', 0, FOREIGN_DB);
const ISSUE = nodeId('I', 0, ALLOWED_DB, 42);
const FOREIGN_ISSUE = nodeId('I', 0, FOREIGN_DB, 42);
const USER = nodeId('U', 0, 99);

const body = (query: string, variables?: unknown, extra: Record<string, unknown> = {}): Buffer => Buffer.from(JSON.stringify({ query, ...(variables === undefined ? {} : { variables }), ...extra }));

t.test('node ids decode to the repository they belong to', async (t) => {
  t.same(decodeNodeId(REPO), { kind: 'repository', repositoryId: ALLOWED_DB });
  t.same(decodeNodeId(FOREIGN_ISSUE), { kind: 'repository', repositoryId: FOREIGN_DB });
  t.same(decodeNodeId(USER), { kind: 'account' });
  t.same(decodeNodeId('MDEwOlJlcG9zaXRvcnkxMjk2MjY5'), { kind: 'repository', repositoryId: ALLOWED_DB }, "GitHub's documented legacy id of octocat/Hello-World");
  t.same(decodeNodeId(legacyId('User', 583231)), { kind: 'account' });
  t.same(decodeNodeId(legacyId('Issue', 5)), { kind: 'unrecognized' }, 'a legacy issue id does not say its repository');
  t.same(decodeNodeId('R_garbage!'), { kind: 'unrecognized' });
  t.same(decodeNodeId(`R_${Buffer.from([0x92, 0x01, 0x05]).toString('base64url')}`), { kind: 'unrecognized' }, 'an unknown format version');
  t.same(decodeNodeId('hello'), { kind: 'unrecognized' });
});

const cases: [string, Buffer, string | undefined][] = [
  // [what, body, refused detail (undefined: allowed)]
  ['repository by name, inside', body('{ repository(owner: "octo", name: "repo") { issues(first: 5) { nodes { title } } } }'), undefined],
  ['repository by name, other case', body('query { repository(owner: "OCTO", name: "Repo") { id } }'), undefined],
  ['repository by name, outside', body('{ repository(owner: "octo", name: "secret") { id } }'), 'octo/secret'],
  ['repository behind an alias, outside', body('{ a: repository(owner: "octo", name: "repo") { id } b: repository(owner: "evil", name: "repo") { id } }'), 'evil/repo'],
  ['repository by variables, inside', body('query($o: String!, $n: String!) { repository(owner: $o, name: $n) { id } }', { o: 'octo', n: 'repo' }), undefined],
  ['repository by variables, outside', body('query($o: String!, $n: String!) { repository(owner: $o, name: $n) { id } }', { o: 'other', n: 'repo' }), 'other/repo'],
  ['repository by a variable default, outside', body('query($n: String = "x") { repository(owner: "octo", name: $n) { id } }'), 'octo/x'],
  ['repository with an unresolved variable', body('query($n: String!) { repository(owner: "octo", name: $n) { id } }', {}), '<unresolved-variable:n>'],
  ['repository under organization(login:), inside', body('{ organization(login: "octo") { repository(name: "repo") { id } } }'), undefined],
  ['repository under user(login:), outside', body('{ user(login: "mallory") { repository(name: "repo") { id } } }'), 'mallory/repo'],
  ['repository without owner', body('{ viewer { repository(name: "repo") { id } } }'), '<unknown>/repo'],
  ['repository in a fragment spread from another owner', body('{ organization(login: "evil") { ...F } } fragment F on Organization { repository(name: "repo") { id } }'), '<unknown>/repo'],
  ['a fragment using a variable whose default is in the operation', body(`query($id: ID = "${FOREIGN_REPO}") { ...F } fragment F on Query { node(id: $id) { id } }`), '<unresolved-variable:id>'],
  ['a fragment using a variable given a value', body('query($id: ID = "x") { ...F } fragment F on Query { node(id: $id) { id } }', { id: REPO }), undefined],
  ['a fragment using an optional variable without default', body(`query($after: String) { ...F } fragment F on Query { node(id: "${REPO}") { id } viewer { followers(first: 5, after: $after) { totalCount } } }`, {}), undefined],
  ['repository field of an issue (no arguments)', body(`{ node(id: "${ISSUE}") { ... on Issue { repository { nameWithOwner } } } }`), undefined],
  ['node by id, inside', body(`{ node(id: "${REPO}") { id } }`), undefined],
  ['node by id, outside', body(`{ node(id: "${FOREIGN_REPO}") { id } }`), FOREIGN_REPO],
  ['nodes(ids:) with one outside', body(`{ nodes(ids: ["${REPO}", "${FOREIGN_ISSUE}"]) { id } }`), FOREIGN_ISSUE],
  ['node by legacy repository id, inside', body('{ node(id: "MDEwOlJlcG9zaXRvcnkxMjk2MjY5") { id } }'), undefined],
  ['node by legacy issue id', body(`{ node(id: "${legacyId('Issue', 5)}") { id } }`), `<unrecognized-node-id:${legacyId('Issue', 5)}>`],
  ['a user id is no repository', body(`{ node(id: "${USER}") { id } }`), undefined],
  ['an unreadable id', body('{ node(id: "not-an-id") { id } }'), '<unrecognized-node-id:not-an-id>'],
  ['a numeric id', body('query($id: ID!) { node(id: $id) { id } }', { id: 12 }), '<unrecognized-node-id:id>'],
  ['node id in a variable, outside', body('query($id: ID!) { node(id: $id) { id } }', { id: FOREIGN_REPO }), FOREIGN_REPO],
  ['mutation with repositoryId inside', body('mutation($input: CreateIssueInput!) { createIssue(input: $input) { issue { id } } }', { input: { repositoryId: REPO, title: 't', clientMutationId: 'anything' } }), undefined],
  ['mutation with repositoryId outside (nested variable)', body('mutation($input: CreateIssueInput!) { createIssue(input: $input) { issue { id } } }', { input: { repositoryId: FOREIGN_REPO, title: 't' } }), FOREIGN_REPO],
  ['mutation with a user id as repositoryId', body(`mutation { createIssue(input: {repositoryId: "${USER}", title: "t"}) { issue { id } } }`), USER],
  ['mutation on an issue outside (inline subjectId)', body(`mutation { addComment(input: {subjectId: "${FOREIGN_ISSUE}", body: "hi"}) { clientMutationId } }`), FOREIGN_ISSUE],
  ['mutation on an issue inside', body(`mutation { addComment(input: {subjectId: "${ISSUE}", body: "hi"}) { clientMutationId } }`), undefined],
  ['commit on a branch inside, with an oid (not a node id)', body('mutation($i: CreateCommitOnBranchInput!) { createCommitOnBranch(input: $i) { commit { oid } } }', { i: { branch: { repositoryNameWithOwner: 'octo/repo', branchName: 'main' }, expectedHeadOid: 'a'.repeat(40), message: { headline: 'x' } } }), undefined],
  ['commit on a branch outside', body('mutation($i: CreateCommitOnBranchInput!) { createCommitOnBranch(input: $i) { commit { oid } } }', { i: { branch: { repositoryNameWithOwner: 'evil/repo', branchName: 'main' }, expectedHeadOid: 'a'.repeat(40) } }), 'evil/repo'],
  ['assigneeIds of users', body(`mutation { addAssigneesToAssignable(input: {assignableId: "${ISSUE}", assigneeIds: ["${USER}"]}) { clientMutationId } }`), undefined],
  ['repositoryNameWithOwner inside', body('mutation($i: CreateProjectV2Input!) { x(input: $i) { clientMutationId } }', { i: { deep: [{ repositoryNameWithOwner: 'Octo/Repo' }] } }), undefined],
  ['repositoryNameWithOwner outside', body('mutation { x(input: {repositoryNameWithOwner: "octo/other"}) { clientMutationId } }'), 'octo/other'],
  ['search', body('{ search(query: "repo:evil/x", type: ISSUE, first: 5) { issueCount } }'), '<multi-repo:search>'],
  ['repositories with arguments', body('{ viewer { repositories(first: 100) { nodes { name } } } }'), '<multi-repo:repositories>'],
  ['starredRepositories with arguments', body('{ viewer { starredRepositories(first: 1) { totalCount } } }'), '<multi-repo:starredRepositories>'],
  ['itemShowcase', body('{ viewer { itemShowcase { hasPinnedItems } } }'), '<multi-repo:itemShowcase>'],
  ['resource(url:)', body('{ resource(url: "https://github.com/evil/x") { __typename } }'), '<url-addressed:resource>'],
  ['no repository at all', body('{ viewer { login } rateLimit { remaining } }'), undefined],
  ['a second, unexecuted operation is checked too', body('query A { viewer { login } } query B { repository(owner: "evil", name: "x") { id } }', undefined, { operationName: 'A' }), 'evil/x'],
  ['garbage JSON', Buffer.from('{"query": '), '<unparseable>'],
  ['a syntax error', body('{ repository(owner: "octo"'), '<unparseable>'],
  ['no query', Buffer.from('{"variables": {}}'), '<unparseable>'],
  ['batched', Buffer.from(JSON.stringify([{ query: '{ viewer { login } }' }])), '<batched>'],
  ['variables as a string', body('query($id: ID!) { node(id: $id) { id } }', JSON.stringify({ id: FOREIGN_REPO })), '<unparseable>'],
  ['duplicate keys', Buffer.from('{"query":"{ viewer { login } }","query":"{ search(query:\\"x\\") { issueCount } }"}'), '<unparseable>'],
  ['a schema definition', body('type Query { x: Int }'), '<unparseable>'],
  ['an empty body', Buffer.alloc(0), '<unparseable>'],
  ['over 1 MiB', body(`{ viewer { login } } # ${'x'.repeat(1024 * 1024)}`), '<too-large>'],
];

for (const [what, request, refused] of cases) {
  t.test(what, async (t) => {
    const verdict = await checkRepoScope(request, allowed);
    if (refused === undefined) t.same(verdict, { allowed: true });
    else t.same(verdict, { allowed: false, detail: refused });
  });
}

t.test('with no repository known (the token answer listed none), every repository is refused', async (t) => {
  const none: AllowedRepos = { fullNames: new Set(), databaseIds: new Set() };
  t.same(await checkRepoScope(body(`{ node(id: "${REPO}") { id } }`), none), { allowed: false, detail: REPO });
  t.same(await checkRepoScope(body('{ repository(owner: "octo", name: "repo") { id } }'), none), { allowed: false, detail: 'octo/repo' });
  t.same(await checkRepoScope(body('{ viewer { login } }'), none), { allowed: true }, 'a query naming no repository still passes');
});
