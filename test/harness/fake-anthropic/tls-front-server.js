// A TLS front for a plain-HTTP fake server, run by node inside a test
// container: it terminates TLS on 443 with the committed fake-upstream
// certificate (which covers api.anthropic.com) and pipes each connection to
// $TARGET (host:port). Prints "ready" once it listens.
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { createServer } from 'node:tls';

const [host, port] = (process.env.TARGET ?? '').split(':');
const certs = process.argv[2] ?? '/certs';
const server = createServer({
  cert: readFileSync(`${certs}/server-cert.pem`),
  key: readFileSync(`${certs}/server-key.pem`),
}, (socket) => {
  const upstream = connect(Number(port), host);
  socket.pipe(upstream).pipe(socket);
  const close = () => { socket.destroy(); upstream.destroy(); };
  socket.on('error', close);
  upstream.on('error', close);
});
server.listen(443, '0.0.0.0', () => console.log('ready'));
process.on('SIGTERM', () => process.exit(0));
