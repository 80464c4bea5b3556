// A fake upstream, run by node inside a test container on the test's egress
// network. It answers HTTPS on 443 (certificate from the committed test CA)
// and HTTP on 80 and 8080 with a JSON echo of what it received, and prints
// {"type":"ready"} once every port listens. Every request is also printed
// as a JSON line, so tests can see what reached the upstream.
import { readFileSync } from 'node:fs';
import { createServer as createHttp } from 'node:http';
import { createServer as createHttps } from 'node:https';

const dir = process.argv[2] ?? '/srv/fake-upstream';
const emit = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);

function handle(scheme) {
  return (req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const echo = {
        scheme,
        method: req.method,
        url: req.url,
        host: req.headers.host ?? null,
        servername: req.socket.servername ?? null,
        headers: req.rawHeaders,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      emit({ type: 'request', ...echo });
      const body = JSON.stringify({ upstream: 'fake', ...echo });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  };
}

const tls = { cert: readFileSync(`${dir}/certs/server-cert.pem`), key: readFileSync(`${dir}/certs/server-key.pem`) };
const listen = (server, port) => new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(port, '0.0.0.0', resolve);
});
await Promise.all([
  listen(createHttps(tls, handle('https')), 443),
  listen(createHttp(handle('http')), 80),
  listen(createHttp(handle('http')), 8080),
]);
emit({ type: 'ready' });
