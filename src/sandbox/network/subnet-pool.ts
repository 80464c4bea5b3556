import { NetworkSandboxError } from './error.js';

/** An IPv4 network: its first address as a 32-bit number and its prefix length. */
export interface Ipv4Subnet {
  readonly base: number;
  readonly prefix: number;
}

/** The pool task networks come from unless the operator sets `network.subnet_pool`. */
export const DEFAULT_SUBNET_POOL = '10.199.0.0/16';

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/**
 * Parses `a.b.c.d/n`. Host bits must be zero, so a typo such as `10.199.3.0/16`
 * is reported instead of silently meaning something else.
 *
 * @param source where the text came from (e.g. `network.subnet_pool`), quoted in errors
 */
export function parseSubnet(text: string, source: string): Ipv4Subnet {
  const match = CIDR.exec(text.trim());
  const octets = match ? match.slice(1, 5).map(Number) : [];
  const prefix = match ? Number(match[5]) : NaN;
  if (!match || octets.some((o) => o > 255) || prefix > 32) {
    throw new NetworkSandboxError('NETWORK_SUBNET_POOL_INVALID', `${source}: "${text}" is not an IPv4 subnet`, {
      hint: `Write it as a.b.c.d/n, e.g. ${DEFAULT_SUBNET_POOL}.`,
    });
  }
  const base = octets.reduce((acc, o) => acc * 256 + o, 0);
  if (base % blockSize(prefix) !== 0) {
    throw new NetworkSandboxError('NETWORK_SUBNET_POOL_INVALID', `${source}: "${text}" has host bits set`, {
      hint: `Did you mean ${formatSubnet({ base: base - (base % blockSize(prefix)), prefix })}?`,
    });
  }
  return { base, prefix };
}

/** `a.b.c.d/n`. */
export function formatSubnet(subnet: Ipv4Subnet): string {
  return `${formatAddress(subnet.base)}/${subnet.prefix}`;
}

/** Dotted-quad form of a 32-bit address. */
export function formatAddress(address: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join('.');
}

/** The address `host` positions into `subnet`, e.g. host 2 of 10.199.7.0/24 is 10.199.7.2. */
export function hostAddress(subnet: Ipv4Subnet, host: number): string {
  return formatAddress(subnet.base + host);
}

/** True when the two subnets share at least one address. */
export function subnetsOverlap(a: Ipv4Subnet, b: Ipv4Subnet): boolean {
  const aEnd = a.base + blockSize(a.prefix);
  const bEnd = b.base + blockSize(b.prefix);
  return a.base < bEnd && b.base < aEnd;
}

/**
 * Every /24 of `pool` that overlaps none of `used`, starting at the `start`-th
 * /24 and wrapping around. Different processes start at different places so
 * they rarely race for the same subnet; when they do, network creation fails
 * and the caller moves on to the next candidate.
 */
export function freeSubnets(pool: Ipv4Subnet, used: readonly Ipv4Subnet[], start = 0): Ipv4Subnet[] {
  if (pool.prefix > 24) {
    throw new NetworkSandboxError('NETWORK_SUBNET_POOL_INVALID', `subnet pool ${formatSubnet(pool)} is smaller than one /24`, {
      hint: `Use a pool of prefix length 24 or less, e.g. ${DEFAULT_SUBNET_POOL}.`,
    });
  }
  const count = blockSize(pool.prefix) / 256;
  const result: Ipv4Subnet[] = [];
  for (let i = 0; i < count; i++) {
    const candidate = { base: pool.base + ((start + i) % count) * 256, prefix: 24 };
    if (!used.some((u) => subnetsOverlap(u, candidate))) {
      result.push(candidate);
    }
  }
  return result;
}

function blockSize(prefix: number): number {
  return 2 ** (32 - prefix);
}
