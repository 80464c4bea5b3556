import type { Dispatcher } from 'undici';
import { ClaudeBinaryError } from './error.js';
import { httpGet } from './http-get.js';
import { packumentUrl, type NpmRegistry } from './npm-registry.js';
import { isChannel, isExactVersion, nearbyVersions, type ClaudeChannel, type ClaudeVersionRequest } from './version.js';

/** Where one published version's tarball is and how to check it. */
export interface PublishedVersion {
  readonly version: string;
  readonly tarball: string;
  /** Subresource-integrity string from the registry, e.g. `sha512-...`. */
  readonly integrity: string;
}

/** The parts of an npm package document the cache needs. */
export interface Packument {
  readonly name: string;
  readonly distTags: Readonly<Record<string, string>>;
  readonly versions: ReadonlyMap<string, PublishedVersion>;
}

// The abbreviated ("corgi") document is a fraction of the full one and has all we need.
const ACCEPT = 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*';
const MAX_PACKUMENT_BYTES = 64 * 1024 * 1024;

/**
 * Fetches and checks the registry document of `packageName`.
 *
 * @throws ClaudeBinaryError `CLAUDE_BIN_REGISTRY` when unreachable, non-2xx or malformed
 */
export async function fetchPackument(
  registry: NpmRegistry,
  packageName: string,
  options: { dispatcher?: Dispatcher | undefined; timeoutMs?: number } = {},
): Promise<Packument> {
  const what = `metadata of ${packageName}`;
  const response = await httpGet(packumentUrl(registry, packageName), {
    registry,
    dispatcher: options.dispatcher,
    headers: { accept: ACCEPT },
    headersTimeoutMs: options.timeoutMs ?? 30_000,
    bodyTimeoutMs: options.timeoutMs ?? 30_000,
    what,
  });
  let text = '';
  try {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      const buf = chunk as Buffer;
      size += buf.length;
      if (size > MAX_PACKUMENT_BYTES) throw new Error(`larger than ${MAX_PACKUMENT_BYTES} bytes`);
      chunks.push(buf);
    }
    text = Buffer.concat(chunks).toString('utf8');
  } catch (err) {
    response.body.destroy();
    throw new ClaudeBinaryError('CLAUDE_BIN_REGISTRY', `Reading the ${what} from ${response.url} failed: ${(err as Error).message}`, {
      hint: `Check the network and the registry configured (${registry.source}: ${registry.url}).`,
      cause: err,
    });
  }
  return parsePackument(text, packageName, response.url, registry);
}

/** Validates a packument's JSON text into a {@link Packument}. */
export function parsePackument(text: string, packageName: string, url: string, registry: NpmRegistry): Packument {
  const bad = (why: string, cause?: unknown): ClaudeBinaryError =>
    new ClaudeBinaryError('CLAUDE_BIN_REGISTRY', `The registry's metadata of ${packageName} at ${url} is not usable: ${why}`, {
      hint: `Check that ${registry.url} (${registry.source}) is an npm registry.`,
      cause,
    });
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw bad('not JSON', err);
  }
  if (!isRecord(doc) || !isRecord(doc.versions)) throw bad('no "versions" object');
  const distTags: Record<string, string> = {};
  if (isRecord(doc['dist-tags'])) {
    for (const [tag, version] of Object.entries(doc['dist-tags'])) if (typeof version === 'string') distTags[tag] = version;
  }
  const versions = new Map<string, PublishedVersion>();
  for (const [version, meta] of Object.entries(doc.versions)) {
    // Entries that could not name a safe cache directory or lack a checksum are unusable, not fatal.
    if (!isExactVersion(version) || !isRecord(meta) || !isRecord(meta.dist)) continue;
    const { tarball, integrity } = meta.dist;
    if (typeof tarball !== 'string' || typeof integrity !== 'string') continue;
    versions.set(version, { version, tarball, integrity });
  }
  return { name: packageName, distTags, versions };
}

/**
 * The package whose dist-tags define the channels, as `npm install
 * @anthropic-ai/claude-code@stable` reads them. The platform packages carry
 * dist-tags of their own that can lag or lack a channel, so they are only
 * asked for the tarball of the version the channel names.
 */
export const CLAUDE_CODE_PACKAGE = '@anthropic-ai/claude-code';

/**
 * The exact version `channel` names on the main package.
 *
 * @throws ClaudeBinaryError `CLAUDE_BIN_UNKNOWN_VERSION` when the main package has no such dist-tag, listing the ones it has
 */
export function channelVersion(main: Packument, channel: ClaudeChannel): string {
  const version = main.distTags[channel];
  if (version !== undefined && isExactVersion(version)) return version;
  throw new ClaudeBinaryError('CLAUDE_BIN_UNKNOWN_VERSION',
    version === undefined
      ? `${main.name} has no ${JSON.stringify(channel)} dist-tag`
      : `${main.name}'s ${JSON.stringify(channel)} dist-tag names ${JSON.stringify(version)}, which is not a version`, {
      hint: `Published dist-tags of ${main.name}: ${describeTags(main)}. Use one of them or an exact version (newest: ${newest(main)}).`,
    });
}

/**
 * The error for a channel whose version (on the main package) has no tarball
 * in this host's platform package: names the channel, the version and the
 * platform versions near it.
 */
export function missingPlatformBuildError(platform: Packument, main: Packument, channel: ClaudeChannel, version: string): ClaudeBinaryError {
  const available = [...platform.versions.keys()];
  return new ClaudeBinaryError('CLAUDE_BIN_UNKNOWN_VERSION', `${main.name}'s ${JSON.stringify(channel)} dist-tag points at ${version}, but ${platform.name} has no usable tarball of it`, {
    hint: `Versions of ${platform.name} near it: ${nearbyVersions(available, version).join(', ') || 'none'}; dist-tags of ${main.name}: ${describeTags(main)}. Give an exact version that exists, or try again once ${version} is published for this platform.`,
  });
}

/**
 * The published version a request stands for.
 *
 * @throws ClaudeBinaryError `CLAUDE_BIN_UNKNOWN_VERSION` naming nearby or newest versions
 */
export function pickVersion(packument: Packument, request: ClaudeVersionRequest): PublishedVersion {
  const exact = isChannel(request) ? packument.distTags[request] : request;
  const found = exact === undefined ? undefined : packument.versions.get(exact);
  if (found) return found;
  const available = [...packument.versions.keys()];
  const tags = Object.entries(packument.distTags).map(([tag, v]) => `${tag} -> ${v}`).join(', ') || 'none';
  if (isChannel(request)) {
    throw new ClaudeBinaryError('CLAUDE_BIN_UNKNOWN_VERSION',
      exact === undefined
        ? `${packument.name} has no ${JSON.stringify(request)} dist-tag`
        : `${packument.name}'s ${JSON.stringify(request)} dist-tag points at ${exact}, which has no usable tarball`, {
        hint: `Published dist-tags: ${tags}. Use one of them or an exact version (newest: ${nearbyVersions(available, '999999.0.0').reverse().join(', ')}).`,
      });
  }
  throw new ClaudeBinaryError('CLAUDE_BIN_UNKNOWN_VERSION', `Claude Code ${request} is not published as ${packument.name}`, {
    hint: `Versions near it: ${nearbyVersions(available, request).join(', ') || 'none'}; dist-tags: ${tags}.`,
  });
}

function describeTags(packument: Packument): string {
  return Object.entries(packument.distTags).map(([tag, v]) => `${tag} -> ${v}`).join(', ') || 'none';
}

function newest(packument: Packument): string {
  return nearbyVersions([...packument.versions.keys()], '999999.0.0').reverse().join(', ') || 'none';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
