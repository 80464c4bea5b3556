import { ClaudeBinaryError } from './error.js';

/** The C library the host's binaries link against. */
export type Libc = 'glibc' | 'musl';

/** A host platform Claude Code publishes a native binary for. */
export interface ClaudePlatform {
  /** `linux-x64`, `linux-arm64`, `linux-x64-musl` or `linux-arm64-musl`. */
  readonly id: string;
  /** The npm package holding the binary, e.g. `@anthropic-ai/claude-code-linux-x64`. */
  readonly packageName: string;
}

/** What {@link detectPlatform} looks at; every field defaults to the running process. */
export interface PlatformFacts {
  /** `process.platform`. */
  platform?: string;
  /** `process.arch`. */
  arch?: string;
  /** Detected from Node's diagnostic report when not given. */
  libc?: Libc;
}

const ARCHES: Readonly<Record<string, string>> = { x64: 'x64', arm64: 'arm64' };

/**
 * Picks the Claude Code platform package for this host.
 *
 * @throws ClaudeBinaryError `CLAUDE_BIN_PLATFORM` on anything but Linux x64/arm64
 */
export function detectPlatform(facts: PlatformFacts = {}): ClaudePlatform {
  const platform = facts.platform ?? process.platform;
  const arch = facts.arch ?? process.arch;
  if (platform !== 'linux') {
    throw new ClaudeBinaryError('CLAUDE_BIN_PLATFORM', `Claude Code binaries for the sandbox exist only for Linux hosts, not ${JSON.stringify(platform)}`, {
      hint: 'Run Airut on Linux (x64 or arm64), or set an explicit claude binary path built for the container.',
    });
  }
  const cpu = ARCHES[arch];
  if (cpu === undefined) {
    throw new ClaudeBinaryError('CLAUDE_BIN_PLATFORM', `No Claude Code binary is published for Linux on ${JSON.stringify(arch)}`, {
      hint: 'Supported architectures: x64, arm64. Set an explicit claude binary path to use your own build.',
    });
  }
  const libc = facts.libc ?? detectLibc();
  const id = `linux-${cpu}${libc === 'musl' ? '-musl' : ''}`;
  return { id, packageName: `@anthropic-ai/claude-code-${id}` };
}

/** glibc when Node's report names a glibc runtime version, musl otherwise. */
export function detectLibc(): Libc {
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return report?.header?.glibcVersionRuntime ? 'glibc' : 'musl';
}
