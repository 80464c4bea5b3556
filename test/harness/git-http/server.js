// A smart-HTTP git server, run by node inside a test container on the test's
// egress network: HTTPS on 443 (the certificate in the directory given as
// first argument) in front of `git http-backend` as a CGI. Every request
// must carry Basic auth whose password is $GIT_TOKEN; anything else gets 401
// with a challenge, as a real forge answers. It creates the bare repository
// /srv/repos/repo.git with one commit on main, prints {"type":"ready"} once it
// listens and one {"type":"request"} line per request, so tests can see the
// credentials that arrived.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';

const certs = process.argv[2] ?? '/certs';
const root = '/srv/repos';
const token = process.env.GIT_TOKEN ?? '';
const emit = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);

const who = { GIT_AUTHOR_NAME: 'Fixture', GIT_AUTHOR_EMAIL: 'fixture@git.test', GIT_COMMITTER_NAME: 'Fixture', GIT_COMMITTER_EMAIL: 'fixture@git.test' };
const git = (args, input) => execFileSync('git', args, { input, env: { ...process.env, ...who } }).toString().trim();
const repo = `${root}/repo.git`;
git(['init', '-q', '--bare', repo]);
const tree = git(['--git-dir', repo, 'mktree'], '');
const commit = git(['--git-dir', repo, 'commit-tree', tree, '-m', 'initial commit'], '');
git(['--git-dir', repo, 'update-ref', 'refs/heads/main', commit]);
git(['--git-dir', repo, 'symbolic-ref', 'HEAD', 'refs/heads/main']);

function credentials(header) {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

const server = createServer({
  cert: readFileSync(`${certs}/server-cert.pem`),
  key: readFileSync(`${certs}/server-key.pem`),
}, (req, res) => {
  const url = new URL(req.url ?? '/', 'https://x');
  const auth = credentials(req.headers.authorization);
  const authorized = auth !== undefined && auth.password === token;
  emit({ type: 'request', method: req.method, url: req.url, host: req.headers.host ?? null, authorization: req.headers.authorization ?? null, authorized });
  if (!authorized) {
    req.resume();
    res.writeHead(401, { 'www-authenticate': 'Basic realm="git.test"', 'content-type': 'text/plain' });
    res.end('authentication required\n');
    return;
  }
  const env = {
    PATH: process.env.PATH,
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: '1',
    REMOTE_USER: auth.user,
    REMOTE_ADDR: req.socket.remoteAddress ?? '',
    REQUEST_METHOD: req.method,
    PATH_INFO: url.pathname,
    QUERY_STRING: url.search.slice(1),
    CONTENT_TYPE: req.headers['content-type'] ?? '',
    ...(req.headers['content-length'] ? { CONTENT_LENGTH: req.headers['content-length'] } : {}),
    ...(req.headers['content-encoding'] ? { HTTP_CONTENT_ENCODING: req.headers['content-encoding'] } : {}),
    ...(req.headers['git-protocol'] ? { GIT_PROTOCOL: req.headers['git-protocol'] } : {}),
  };
  const cgi = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'inherit'] });
  req.pipe(cgi.stdin);
  // CGI output: header lines, a blank line, then the body, streamed on.
  let head = Buffer.alloc(0);
  let started = false;
  cgi.stdout.on('data', (chunk) => {
    if (started) { res.write(chunk); return; }
    head = Buffer.concat([head, chunk]);
    const text = head.toString('latin1');
    const end = text.search(/\r?\n\r?\n/);
    if (end < 0) return;
    const separator = /\r?\n\r?\n/.exec(text.slice(end))[0].length;
    let status = 200;
    const headers = {};
    for (const line of text.slice(0, end).split(/\r?\n/)) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (/^status$/i.test(name)) status = Number.parseInt(value, 10);
      else headers[name] = value;
    }
    res.writeHead(status, headers);
    started = true;
    res.write(head.subarray(end + separator));
  });
  cgi.on('close', (code) => {
    if (!started) res.writeHead(500).end(`http-backend exited with ${code}\n`);
    else res.end();
  });
});
server.listen(443, '0.0.0.0', () => emit({ type: 'ready' }));
process.on('SIGTERM', () => process.exit(0));
