import { isAbsolute, resolve } from 'node:path';
import type { Mount } from '../../sandbox/index.js';
import { RunError } from './error.js';

/**
 * Reads `--mount SRC:DST[:ro]`. SRC is made absolute against `cwd`; DST must
 * be absolute already (it names a path in the container).
 *
 * @throws RunError `RUN_FLAG_INVALID` quoting the value and the accepted forms.
 */
export function parseMount(value: string, cwd: string): Mount {
  const parts = value.split(':');
  const readOnly = parts.length === 3 && parts[2] === 'ro';
  const [src, dst] = parts;
  if (!(parts.length === 2 || readOnly) || !src || !dst || !isAbsolute(dst)) {
    throw new RunError('RUN_FLAG_INVALID', `Invalid mount format: '${value}' (expected SRC:DST or SRC:DST:ro)`, {
      hint: 'SRC is a host path (relative to the working directory is fine), DST an absolute path in the container, e.g. --mount ./data:/data:ro.',
    });
  }
  return { hostPath: resolve(cwd, src), containerPath: dst, ...(readOnly ? { readOnly: true } : {}) };
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

/**
 * Reads the repeatable `--upstream-host HOST=IP` into a map for the proxy.
 *
 * @throws RunError `RUN_FLAG_INVALID` quoting the bad entry.
 */
export function parseUpstreamHosts(values: readonly string[]): Record<string, string> {
  const hosts: Record<string, string> = {};
  for (const value of values) {
    const at = value.indexOf('=');
    const host = value.slice(0, at).trim().toLowerCase();
    const ip = value.slice(at + 1).trim();
    if (at <= 0 || !/^[a-z0-9.-]+$/.test(host) || !IPV4.test(ip)) {
      throw new RunError('RUN_FLAG_INVALID', `Invalid --upstream-host '${value}' (expected HOST=IPV4)`, {
        hint: 'Give one host name and the IPv4 address the proxy should connect to for it, e.g. --upstream-host api.anthropic.com=10.89.0.5.',
      });
    }
    hosts[host] = ip;
  }
  return hosts;
}
