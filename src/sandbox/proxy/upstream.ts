import { lookup as systemLookup, Resolver, type LookupAddress, type LookupOptions } from 'node:dns';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { isIP } from 'node:net';
import { createSecureContext, rootCertificates } from 'node:tls';

/** Node's `lookup` option for sockets (the callback is either single-address or `all` form). */
type LookupFunction = (
  hostname: string,
  options: LookupOptions,
  callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
) => void;

/** How upstream connections are made. */
export interface UpstreamOptions {
  /** Lower-case host -> IP, consulted first. */
  hosts: ReadonlyMap<string, string>;
  /** Resolver IP for every other name; undefined uses the system resolver. */
  dns: string | undefined;
  /** Extra PEM CA certificates to trust besides Node's bundled roots. */
  extraCaPem: string | undefined;
  /** Idle timeout of upstream sockets, ms. */
  idleTimeoutMs: number;
}

/** Keep-alive agents for both schemes, sharing one name resolution policy. */
export interface Upstream {
  readonly https: HttpsAgent;
  readonly http: HttpAgent;
  readonly lookup: LookupFunction;
  /** Closes pooled sockets. */
  close(): void;
}

/**
 * The agents the proxy forwards through. TLS to the upstream is always
 * verified (Node's bundled Mozilla roots plus the operator's extra CA): a
 * proxy that accepted any upstream certificate would hand the masked secrets
 * to whoever sits on the path.
 */
export function createUpstream(options: UpstreamOptions): Upstream {
  const lookup = createLookup(options.hosts, options.dns);
  // noDelay: a proxy adds a hop; Nagle's algorithm on it would hold small writes for an ACK.
  // maxTotalSockets keeps the upstream side within the proxy's file budget (see start-proxy.ts).
  const common = { keepAlive: true, noDelay: true, maxSockets: 64, maxTotalSockets: 128, maxFreeSockets: 16, timeout: options.idleTimeoutMs, scheduling: 'lifo' as const };
  // One context, built once: passing `ca` instead would make the agent rebuild the trust store for
  // every connection and stringify all ~140 roots into its pool key on every request.
  const secureContext = createSecureContext({
    ...(options.extraCaPem === undefined ? {} : { ca: [...rootCertificates, options.extraCaPem] }),
    minVersion: 'TLSv1.2',
  });
  const https = new HttpsAgent({ ...common, secureContext, ALPNProtocols: ['http/1.1'] });
  const http = new HttpAgent(common);
  return {
    https,
    http,
    lookup,
    close: () => {
      https.destroy();
      http.destroy();
    },
  };
}

/**
 * Resolves upstream names: the static map first, then the configured resolver
 * (IPv4 only: the egress network is what the operator set up) or the system's.
 */
function createLookup(hosts: ReadonlyMap<string, string>, dns: string | undefined): LookupFunction {
  let resolver: Resolver | undefined;
  if (dns !== undefined) {
    resolver = new Resolver({ timeout: 5000, tries: 2 });
    resolver.setServers([dns]);
  }
  return (hostname, options, callback) => {
    const reply = (address: string): void => {
      const family = isIP(address);
      if (options.all === true) callback(null, [{ address, family }]);
      else callback(null, address, family);
    };
    const mapped = hosts.get(hostname.toLowerCase());
    if (mapped !== undefined) {
      reply(mapped);
      return;
    }
    if (resolver === undefined) {
      systemLookup(hostname, options, callback);
      return;
    }
    resolver.resolve4(hostname, (err, addresses) => {
      const first = addresses?.[0];
      if (err !== null || first === undefined) {
        callback(err ?? Object.assign(new Error(`no A record for ${hostname}`), { code: 'ENOTFOUND' }), '');
        return;
      }
      reply(first);
    });
  };
}
