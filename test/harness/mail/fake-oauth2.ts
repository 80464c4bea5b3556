/**
 * A fake OAuth2 authorization server on 127.0.0.1 for XOAUTH2 tests: a
 * client-credentials token endpoint (Microsoft's v2.0 path shape) that issues
 * opaque tokens bound to one mailbox, and an RFC 7662 introspection endpoint
 * that Dovecot's oauth2 passdb asks whether a presented token is good. The SMTP
 * front checks tokens with {@link FakeOAuth2.verify}.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';

/** The one application the server knows. */
export interface FakeOAuth2Client {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** The mailbox every token of this client may open. */
  mailbox: string;
}

/** One request to the token endpoint, as received. */
export interface TokenRequest {
  path: string;
  form: Record<string, string>;
  /** The token issued, when the request was granted. */
  issued: string | undefined;
}

/** The running server. */
export interface FakeOAuth2 {
  /** Token endpoint of the client's tenant, the shape of Microsoft's. */
  readonly tokenUrl: string;
  /** RFC 7662 introspection endpoint (form `token=`). */
  readonly introspectionUrl: string;
  /** Every token request so far. */
  readonly tokenRequests: readonly TokenRequest[];
  /** Tokens presented to the introspection endpoint, in order. */
  readonly introspected: readonly string[];
  /** Lifetime (`expires_in`, seconds) of tokens issued from now on. */
  expiresIn: number;
  /** Whether `token` is live and was issued for `user`. */
  verify(user: string, token: string): boolean;
  /** Makes every token issued so far invalid (as a revoked secret or an expired token would be). */
  revokeAll(): void;
  close(): Promise<void>;
}

/** Starts the server for `client`. */
export async function startFakeOAuth2(client: FakeOAuth2Client): Promise<FakeOAuth2> {
  const live = new Set<string>();
  const tokenRequests: TokenRequest[] = [];
  const introspected: string[] = [];
  const tokenPath = `/${client.tenantId}/oauth2/v2.0/token`;
  const state = { expiresIn: 3600 };

  const server = createServer((req, res) => {
    readForm(req).then((form) => {
      if (req.method === 'POST' && req.url === tokenPath) {
        grant(form, res);
        return;
      }
      if (req.method === 'POST' && req.url === '/introspect') {
        const token = form.token ?? '';
        introspected.push(token);
        json(res, 200, live.has(token) ? { active: true, username: client.mailbox } : { active: false });
        return;
      }
      json(res, 404, { error: 'not_found' });
    }, () => { json(res, 400, { error: 'invalid_request' }); });
  });

  const grant = (form: Record<string, string>, res: ServerResponse): void => {
    const request: TokenRequest = { path: tokenPath, form, issued: undefined };
    tokenRequests.push(request);
    if (form.grant_type !== 'client_credentials') {
      json(res, 400, { error: 'unsupported_grant_type', error_description: `AADSTS70003: grant_type ${String(form.grant_type)} is not supported.` });
      return;
    }
    if (form.client_id !== client.clientId || form.client_secret !== client.clientSecret) {
      json(res, 401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.\r\nTrace ID: 0' });
      return;
    }
    const token = `fake-at-${randomBytes(12).toString('hex')}`;
    live.add(token);
    request.issued = token;
    json(res, 200, { token_type: 'Bearer', expires_in: state.expiresIn, ext_expires_in: state.expiresIn, access_token: token });
  };

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = address !== null && typeof address === 'object' ? address.port : 0;
  return {
    tokenUrl: `http://127.0.0.1:${port}${tokenPath}`,
    introspectionUrl: `http://127.0.0.1:${port}/introspect`,
    tokenRequests,
    introspected,
    get expiresIn() { return state.expiresIn; },
    set expiresIn(seconds: number) { state.expiresIn = seconds; },
    verify: (user, token) => user.toLowerCase() === client.mailbox.toLowerCase() && live.has(token),
    revokeAll: () => { live.clear(); },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => { resolve(); });
    }),
  };
}

function readForm(req: IncomingMessage): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', reject);
    req.on('end', () => { resolve(Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')))); });
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
