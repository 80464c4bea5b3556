import t from 'tap';
import { allowlistFromObject, explainRequest, parseAllowlist, type ApprovalDocument } from '../../../../src/sandbox/network/allowlist/index.js';

const repo = parseAllowlist(`
url_prefixes:
  - host: pkgs.test
    path: /allowed/*
    methods: [GET]
`, '.airut/network-allowlist.yaml');

const approval: ApprovalDocument = { method: 'GET', host: 'pkgs.test', path_prefix: '/simple/x', approved_by: 'ada@example.com', expires_at: '2026-12-07T03:00:00.000Z' };
const overlaid = repo.withApprovals([approval]);
const allowed = (method: string, host: string, path: string): boolean => explainRequest(overlaid, { method, host, path }).allowed;

void t.test('an approval allows exactly its method, host and path, with any query', (t) => {
  t.ok(allowed('GET', 'pkgs.test', '/simple/x'));
  t.ok(allowed('get', 'PKGS.test', '/simple/x'), 'method and host compare without case, like the allowlist');
  t.ok(allowed('GET', 'pkgs.test', '/simple/x?page=2'), 'the query is not part of the path prefix');
  t.notOk(allowed('GET', 'pkgs.test', '/simple/xyz'), 'no widening to a longer path');
  t.notOk(allowed('GET', 'pkgs.test', '/simple/x/'), 'no trailing slash');
  t.notOk(allowed('GET', 'pkgs.test', '/simple/x/y'), 'no sub-path');
  t.notOk(allowed('GET', 'pkgs.test', '/simple/%78'), 'no other spelling of the path');
  t.notOk(allowed('GET', 'pkgs.test', '/simple/'), 'no parent');
  t.notOk(allowed('POST', 'pkgs.test', '/simple/x'), 'no other method');
  t.notOk(allowed('HEAD', 'pkgs.test', '/simple/x'), 'not even HEAD');
  t.notOk(allowed('GET', 'other.test', '/simple/x'), 'no other host');
  t.notOk(allowed('GET', 'sub.pkgs.test', '/simple/x'), 'no subdomain');
  t.notOk(allowed('GET', 'pkgs.test', '/simple/x/../x'), 'a dot-dot path is refused before any entry');
  t.end();
});

void t.test('the decision names the approval; the repository entries are unchanged and tried first', (t) => {
  const decision = explainRequest(overlaid, { method: 'GET', host: 'pkgs.test', path: '/simple/x' });
  t.equal(decision.approval?.approvedBy, 'ada@example.com');
  t.match(decision.reason, /allowed by the conversation's approvals\[0\] \(GET pkgs\.test\/simple\/x, approved by ada@example\.com/);
  const byRepo = explainRequest(overlaid, { method: 'GET', host: 'pkgs.test', path: '/allowed/a' });
  t.ok(byRepo.allowed);
  t.equal(byRepo.approval, undefined);
  t.strictSame(repo.approvals, [], 'withApprovals returns a new allowlist');
  t.notOk(explainRequest(repo, { method: 'GET', host: 'pkgs.test', path: '/simple/x' }).allowed, 'without the overlay it stays blocked');
  t.end();
});

void t.test('an approval path with pattern characters is compared literally', (t) => {
  const list = repo.withApprovals([{ ...approval, path_prefix: '/a*' }]);
  t.ok(explainRequest(list, { method: 'GET', host: 'pkgs.test', path: '/a*' }).allowed);
  t.notOk(explainRequest(list, { method: 'GET', host: 'pkgs.test', path: '/abc' }).allowed, '* is not a wildcard in an approval');
  t.end();
});

void t.test('the JSON form carries the approvals beside the entries and reads back', (t) => {
  const json = overlaid.toJSON();
  t.strictSame(json.approvals, [approval]);
  const back = allowlistFromObject(JSON.parse(JSON.stringify(json)), 'task file');
  t.equal(back.approvals.length, 1);
  t.ok(explainRequest(back, { method: 'GET', host: 'pkgs.test', path: '/simple/x' }).allowed);
  t.equal(repo.toJSON().approvals, undefined, 'no approvals key without approvals');
  t.end();
});

void t.test('malformed approvals are refused, naming the key', (t) => {
  const bad = (patch: Partial<Record<keyof ApprovalDocument, unknown>>, key: RegExp): void => {
    t.throws(() => repo.withApprovals([{ ...approval, ...patch } as ApprovalDocument]), { code: 'ALLOWLIST_INVALID', message: key });
  };
  bad({ host: '*.pkgs.test' }, /approvals\[0\]\.host/);
  bad({ host: 'pkgs.test:443' }, /approvals\[0\]\.host/);
  bad({ host: 'PKGS.test' }, /approvals\[0\]\.host/);
  bad({ method: 'CONNECT' }, /approvals\[0\]\.method/);
  bad({ method: 'get' }, /approvals\[0\]\.method/);
  bad({ path_prefix: 'simple/x' }, /approvals\[0\]\.path_prefix/);
  bad({ path_prefix: '/simple/x?y=1' }, /approvals\[0\]\.path_prefix/);
  bad({ approved_by: '' }, /approvals\[0\]\.approved_by/);
  bad({ expires_at: 'tomorrow' }, /approvals\[0\]\.expires_at/);
  t.throws(() => allowlistFromObject({ approvals: 'all' }, 'task file'), { code: 'ALLOWLIST_INVALID' });
  t.end();
});

void t.test("a repository's YAML cannot hold approvals", (t) => {
  t.throws(() => parseAllowlist('approvals:\n  - {method: GET, host: pkgs.test, path_prefix: /simple/x, approved_by: me, expires_at: "2030-01-01T00:00:00Z"}\n', '.airut/network-allowlist.yaml'), { code: 'ALLOWLIST_INVALID' });
  t.end();
});
