// Checks an AWS SigV4 request the way an AWS service would: the signature is
// recomputed with the REAL secret key by the AWS SDK's own signer
// (@smithy/signature-v4), never by the proxy's code. Used by the fake AWS
// upstream (in its container) and by the proxy's unit tests.
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';

const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;:-]+),\s*Signature=([0-9a-f]{64})$/;

function values(rawHeaders, lower) {
  const out = [];
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i].toLowerCase() === lower) out.push(rawHeaders[i + 1]);
  return out;
}

function decode(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** x-amz-date (YYYYMMDDTHHMMSSZ) as a Date. */
function amzDate(text) {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text ?? '');
  return m === null ? undefined : new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
}

/**
 * Signs a wire request with smithy: what an AWS SDK would send for it.
 * Returns the Authorization value.
 */
export async function signWire({ method, host, target, rawHeaders, body, signedHeaders }, { credentials, region, service, date }) {
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  const query = {};
  for (const part of (q < 0 ? '' : target.slice(q + 1)).split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = decode(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? '' : decode(part.slice(eq + 1));
    query[name] = name in query ? [].concat(query[name], value) : value;
  }
  const headers = {};
  for (const name of signedHeaders) {
    const list = values(rawHeaders, name);
    if (list.length === 0) continue;
    headers[name] = name === 'host' ? list[0] : list.map((v) => v.trim()).join(',');
  }
  const signer = new SignatureV4({ credentials, region, service, sha256: Sha256, uriEscapePath: service !== 's3', applyChecksum: false });
  const signed = await signer.sign({ method, protocol: 'https:', hostname: host, path, query, headers, body }, {
    signingDate: date, signableHeaders: new Set(signedHeaders),
  });
  return signed.headers.authorization;
}

/**
 * A presigned URL for `target` as S3's presigner makes it: the payload is
 * UNSIGNED-PAYLOAD, only `host` is signed. Returns the target with its query.
 */
export async function presignWire({ method, host, target }, { credentials, region, service, date, expiresIn }) {
  const q = target.indexOf('?');
  const query = {};
  for (const part of (q < 0 ? '' : target.slice(q + 1)).split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    query[decode(eq < 0 ? part : part.slice(0, eq))] = eq < 0 ? '' : decode(part.slice(eq + 1));
  }
  const hash = 'x-amz-content-sha256';
  const signer = new SignatureV4({ credentials, region, service, sha256: Sha256, uriEscapePath: service !== 's3' });
  const signed = await signer.presign(
    { method, protocol: 'https:', hostname: host, path: q < 0 ? target : target.slice(0, q), query, headers: { host, [hash]: 'UNSIGNED-PAYLOAD' } },
    { signingDate: date, expiresIn, unsignableHeaders: new Set([hash]), unhoistableHeaders: new Set([hash]) },
  );
  const encode = (text) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${signed.path}?${Object.entries(signed.query).map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&')}`;
}

/** A query-signed request checked by presigning its URL again with the real key. */
async function verifyPresigned(request, credentials) {
  const q = request.target.indexOf('?');
  const params = new URLSearchParams(request.target.slice(q + 1).replace(/\+/g, '%2B'));
  const [keyId, , region, service] = (params.get('X-Amz-Credential') ?? '').split('/');
  if (keyId !== credentials.accessKeyId) return { ok: false, reason: 'unknown access key id' };
  if (credentials.sessionToken !== undefined && params.get('X-Amz-Security-Token') !== credentials.sessionToken) return { ok: false, reason: 'wrong or missing session token' };
  const date = amzDate(params.get('X-Amz-Date'));
  if (date === undefined) return { ok: false, reason: 'no X-Amz-Date' };
  const own = [...params.keys()].filter((k) => !k.startsWith('X-Amz-')).map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(params.get(k))}`);
  const expected = await presignWire({ method: request.method, host: request.host, target: `${request.target.slice(0, q)}${own.length > 0 ? `?${own.join('&')}` : ''}` },
    { credentials, region, service, date, expiresIn: Number(params.get('X-Amz-Expires')) });
  const signature = new URLSearchParams(expected.slice(expected.indexOf('?') + 1)).get('X-Amz-Signature');
  return signature === params.get('X-Amz-Signature') ? { ok: true, region, service } : { ok: false, reason: 'signature mismatch' };
}

/**
 * Verifies a received request against `credentials` (the real key), signed
 * in Authorization or presigned in its query:
 * `{ ok: true, region, service }` or `{ ok: false, reason }`. A session
 * token, when the credentials have one, must be in X-Amz-Security-Token.
 */
export async function verifyWire(request, credentials) {
  const auths = values(request.rawHeaders, 'authorization');
  if (auths.length === 0 && request.target.includes('X-Amz-Credential=')) return verifyPresigned(request, credentials);
  if (auths.length !== 1) return { ok: false, reason: `${auths.length} Authorization headers` };
  const m = AUTH.exec(auths[0]);
  if (m === null) return { ok: false, reason: 'not a SigV4 Authorization header' };
  const [, keyId, , region, service, signed] = m;
  if (keyId !== credentials.accessKeyId) return { ok: false, reason: 'unknown access key id' };
  const tokens = values(request.rawHeaders, 'x-amz-security-token');
  if (credentials.sessionToken !== undefined && (tokens.length !== 1 || tokens[0] !== credentials.sessionToken)) return { ok: false, reason: 'wrong or missing session token' };
  const signedHeaders = signed.split(';');
  const date = amzDate(values(request.rawHeaders, 'x-amz-date')[0]);
  if (date === undefined) return { ok: false, reason: 'no x-amz-date' };
  const withToken = signedHeaders.includes('x-amz-security-token') ? credentials : { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey };
  const expected = await signWire({ ...request, signedHeaders }, { credentials: withToken, region, service, date });
  if (expected.replace(/\s+/g, ' ') !== auths[0].replace(/\s+/g, ' ')) return { ok: false, reason: 'signature mismatch' };
  return { ok: true, region, service };
}
