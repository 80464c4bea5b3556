import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { buildAnswerA, buildNotImplemented, CLASS_IN, parseDnsQuery, presentName, TYPE_A, typeName } from './dns-packet.js';
import type { NetworkLog } from './network-log.js';

/** Settings of {@link startDnsResponder}. */
export interface DnsResponderOptions {
  /** Address to bind (IPv4). */
  address: string;
  /** UDP port; 0 picks a free one. */
  port: number;
  /** The address every A query is answered with: the proxy's own. */
  answer: string;
  /** TTL of the answer, seconds. */
  ttl: number;
  log: NetworkLog;
  /** A name answered like any other but not logged: the proxy's own health queries (see dns-health.ts). */
  quietName?: string;
}

/** A running responder. */
export interface DnsResponder {
  /** The bound UDP port. */
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The task network's only resolver (DNS-01..04): every A query (class IN) is
 * answered with the proxy's address, so every name leads to the proxy, which
 * then applies the allowlist. Every other type or class gets NOTIMP, so
 * nothing ever learns a real address and no query is forwarded anywhere (no
 * DNS tunnel). Malformed packets are dropped without a reply.
 */
export async function startDnsResponder(options: DnsResponderOptions): Promise<DnsResponder> {
  const socket: Socket = createSocket({ type: 'udp4' });
  // Errors on a UDP socket are per-datagram (e.g. ICMP unreachable for a spoofed source); none is fatal.
  socket.on('error', () => undefined);
  socket.on('message', (packet, remote) => {
    const query = parseDnsQuery(packet);
    if (query === undefined) return;
    const name = presentName(query.labels);
    const type = typeName(query.type);
    let reply: Buffer;
    if (query.type === TYPE_A && query.class === CLASS_IN) {
      reply = buildAnswerA(query, options.answer, options.ttl);
      if (options.quietName === undefined || name.toLowerCase() !== options.quietName) options.log.dns(type, name, options.answer);
    } else {
      reply = buildNotImplemented(query);
      options.log.dns(query.class === CLASS_IN ? type : `${type}/CLASS${query.class}`, name, 'NOTIMP');
    }
    socket.send(reply, remote.port, remote.address);
  });
  const listening = once(socket, 'listening');
  socket.bind(options.port, options.address);
  await listening;
  return {
    port: socket.address().port,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
