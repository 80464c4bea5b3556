// A fake GitHub API for GitHub App tests, run by node (in a test container on
// the test's egress network, or on 127.0.0.1). HTTPS with the certificate in
// the directory given as first argument (PORT env, default 443).
//
// - POST /app/installations/$INSTALLATION_ID/access_tokens checks the App JWT
//   (RS256 with the public key $APP_PUBLIC_KEY, iss $APP_ID, iat/exp within
//   GitHub's 10 minutes) and issues an installation token: $ISSUE_TOKEN when
//   set, else a fresh one that starts with the mint's number (ghs_000001...),
//   expiring after $TOKEN_TTL_S seconds. While
//   the file $FAIL_FLAG exists it answers 500 instead.
//   A token asked for `repositories` lists those of $REPOS (a JSON array of
//   {id, node_id, full_name}) it names, as GitHub does.
// - POST /graphql, with an issued token, answers {"data": {"echo": <query>}}
//   and reports the body it received.
// - Any other path is REST: 200 with JSON when Authorization is
//   `Bearer|token <an issued, unexpired token>`, else 401.
// It prints {"type":"ready"} once it listens and one {"type":"request"} line
// per request (with the Authorization it saw and, for token requests, the
// JWT's verdict and the request body), so tests see what arrived.
import { createPublicKey, randomBytes, verify } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:https';

const certs = process.argv[2] ?? '/certs';
const env = process.env;
const publicKey = createPublicKey(env.APP_PUBLIC_KEY ?? '');
const ttl = Number(env.TOKEN_TTL_S ?? '3600');
const issued = new Map();
const catalog = JSON.parse(env.REPOS ?? '[]');
let mints = 0;
const emit = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);

function checkJwt(header) {
  const match = /^Bearer ([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(header ?? '');
  if (!match) return 'no Bearer JWT';
  const [, h, p, s] = match;
  const head = JSON.parse(Buffer.from(h, 'base64url').toString());
  if (head.alg !== 'RS256') return `alg ${head.alg}`;
  if (!verify('sha256', Buffer.from(`${h}.${p}`), publicKey, Buffer.from(s, 'base64url'))) return 'bad signature';
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
  const now = Math.floor(Date.now() / 1000);
  if (String(claims.iss) !== env.APP_ID) return `iss ${claims.iss}`;
  if (!(claims.iat <= now && claims.exp > now && claims.exp - claims.iat <= 600)) return 'iat/exp out of range';
  return 'ok';
}

function issuedToken(header) {
  const match = /^(?:Bearer|token) (\S+)$/i.exec(header ?? '');
  const expires = match ? issued.get(match[1]) : undefined;
  return expires !== undefined && expires > Date.now();
}

const server = createServer({ cert: readFileSync(`${certs}/server-cert.pem`), key: readFileSync(`${certs}/server-key.pem`) }, (req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString();
    const authorization = req.headers.authorization ?? null;
    const answer = (status, value) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    if (req.method === 'POST' && req.url === `/app/installations/${env.INSTALLATION_ID}/access_tokens`) {
      const jwt = checkJwt(authorization);
      emit({ type: 'request', kind: 'mint', method: req.method, url: req.url, host: req.headers.host ?? null, jwt, body, apiVersion: req.headers['x-github-api-version'] ?? null });
      if (env.FAIL_FLAG && existsSync(env.FAIL_FLAG)) return answer(500, { message: 'Server Error' });
      if (jwt !== 'ok') return answer(401, { message: `A JSON web token could not be decoded (${jwt})` });
      mints += 1;
      const token = env.ISSUE_TOKEN || `ghs_${String(mints).padStart(6, '0')}${randomBytes(30).toString('base64').replace(/[^A-Za-z0-9]/g, 'x').slice(0, 30)}`;
      const expiresAt = Date.now() + ttl * 1000;
      issued.set(token, expiresAt);
      const asked = JSON.parse(body || '{}').repositories;
      const listed = Array.isArray(asked) ? { repository_selection: 'selected', repositories: catalog.filter((r) => asked.includes(r.full_name.split('/')[1])) } : { repository_selection: 'all' };
      return answer(201, { token, expires_at: new Date(expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z'), permissions: {}, ...listed });
    }
    const ok = issuedToken(authorization);
    const graphql = req.url.split('?')[0] === '/graphql';
    emit({ type: 'request', kind: graphql ? 'graphql' : 'rest', method: req.method, url: req.url, host: req.headers.host ?? null, authorization, authorized: ok, ...(graphql ? { body } : {}) });
    if (!ok) return answer(401, { message: 'Bad credentials' });
    if (graphql) return answer(200, { data: { echo: JSON.parse(body || '{}').query ?? null } });
    return answer(200, { full_name: 'octo/repo', path: req.url });
  });
});
server.listen(Number(env.PORT ?? '443'), env.LISTEN ?? '0.0.0.0', () => emit({ type: 'ready', port: server.address().port }));
