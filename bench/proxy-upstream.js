// The upstream of the proxy benchmark, run as its own process so it does not
// share an event loop with the client: HTTPS on 127.0.0.1 (the committed
// fake-upstream certificate), GET answers a small body, POST drains the body
// and answers its byte count. Prints {"port":N} once it listens.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';

const certs = new URL('../test/harness/fake-upstream/certs/', import.meta.url);
const server = createServer({
  cert: readFileSync(new URL('server-cert.pem', certs)),
  key: readFileSync(new URL('server-key.pem', certs)),
  keepAliveTimeout: 60_000,
}, (req, res) => {
  let bytes = 0;
  req.on('data', (chunk) => { bytes += chunk.length; });
  req.on('end', () => {
    const body = req.method === 'POST' ? `${bytes}` : 'ok';
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`));
process.on('SIGTERM', () => process.exit(0));
