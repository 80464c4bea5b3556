// A stand-in for Airut's proxy program, used by the topology tests. It speaks
// the same protocol: reads the config, prints `waiting`, and on `start` from
// stdin reads the task file, answers every DNS A query with the proxy's
// address, accepts TCP on the HTTP and HTTPS ports (answering plain HTTP with
// 418) and prints `ready`; when stdin closes it prints `stopped` and exits.
// Its task start line reports the permissions of the secrets file it saw.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { createInterface } from 'node:readline';

const arg = (name) => process.argv[process.argv.indexOf(name) + 1];
const config = JSON.parse(readFileSync(arg('--config'), 'utf8'));
const emit = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);
const log = (kind, line) => emit({ event: 'log', kind, level: 'info', line, time: new Date().toISOString() });
// A `silent` file in the package root makes it skip `waiting`, `ready` and `stopped`,
// to exercise the caller's port-probe fallback.
const silent = existsSync(new URL('../../../silent', import.meta.url));

const dns = createSocket('udp4');
dns.on('message', (query, peer) => {
  let end = 12;
  while (end < query.length && query[end] !== 0) end += query[end] + 1;
  const question = query.subarray(12, end + 5);
  const isA = query.readUInt16BE(end + 1) === 1;
  const header = Buffer.from([0, 0, 0x81, 0x80, 0, 1, 0, isA ? 1 : 0, 0, 0, 0, 0]);
  query.copy(header, 0, 0, 2);
  const answer = isA
    ? Buffer.concat([Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4]), Buffer.from(config.proxy_ip.split('.').map(Number))])
    : Buffer.alloc(0);
  log('DNS', `DNS ${isA ? 'A' : 'other'} from ${peer.address}`);
  dns.send(Buffer.concat([header, question, answer]), peer.port, peer.address);
});

const listen = (server, port) => new Promise((resolve) => server.listen(port, config.listen_address, resolve));
// Peers (the host's readiness probe among them) may reset connections: not an error here.
const http = createServer((socket) => {
  socket.on('error', () => undefined);
  socket.end('HTTP/1.1 418 I am a stand-in\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
});
const https = createServer((socket) => {
  socket.on('error', () => undefined);
  socket.destroy();
});

async function start() {
  const task = JSON.parse(readFileSync(arg('--await-task'), 'utf8'));
  const mode = (statSync(task.secrets_file).mode & 0o777).toString(8);
  log('TASK_START', `=== TASK START (stand-in, secrets file mode ${mode}) ===`);
  await Promise.all([
    listen(http, config.http_port),
    listen(https, config.https_port),
    new Promise((resolve) => dns.bind(config.dns_port, config.listen_address, resolve)),
  ]);
  if (!silent) emit({ event: 'ready', http_port: config.http_port, https_port: config.https_port, dns_port: config.dns_port });
}

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line === 'start') void start();
});
lines.on('close', () => {
  if (!silent) emit({ event: 'stopped' });
  process.exit(0);
});
if (!silent) emit({ event: 'waiting' });
