/**
 * A readiness probe run inside the proxy container with its own node, as
 * `node <package>/dist/sandbox/proxy/readiness-probe.js <proxy ip>`, for a
 * proxy that does not print its `ready` line: TCP connects to 80 and 443 and
 * one DNS A query to 53, all on the given address. Exits 0 when all three
 * answer, 1 otherwise.
 */
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';

/** A query for `ready.airut` A, id 0xabcd, recursion desired. */
const DNS_QUERY = Buffer.from('abcd01000001000000000000057265616479056169727574000001' + '0001', 'hex');
const DNS_TIMEOUT_MS = 500;

function tcp(ip: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, ip, () => {
      socket.destroy();
      resolve();
    });
    socket.on('error', reject);
  });
}

function dns(ip: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error('dns timeout'));
    }, DNS_TIMEOUT_MS);
    socket.on('message', () => {
      clearTimeout(timer);
      socket.close();
      resolve();
    });
    socket.on('error', reject);
    socket.send(DNS_QUERY, 53, ip);
  });
}

const ip = process.argv[2] ?? '';
Promise.all([tcp(ip, 80), tcp(ip, 443), dns(ip)]).then(() => process.exit(0), () => process.exit(1));
