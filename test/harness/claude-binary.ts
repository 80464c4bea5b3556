import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { ClaudeBinaryCache, defaultClaudeCacheDir } from '../../src/sandbox/claude/binary/index.js';

/**
 * The Claude Code version the suite runs: AIRUT_TEST_CLAUDE_VERSION when set
 * (`npm run canary` sets it to what a channel resolved to), else the version
 * pinned in claude-version.json, so a new release cannot change a run of the
 * suite overnight.
 */
export function testClaudeVersion(): string {
  const override = process.env.AIRUT_TEST_CLAUDE_VERSION;
  if (override !== undefined && override !== '') return override;
  const pinned = JSON.parse(readFileSync(new URL('./claude-version.json', import.meta.url), 'utf8')) as { version: string };
  return pinned.version;
}

/**
 * The real Claude Code binary of {@link testClaudeVersion} from the default
 * cache, found without any network access. Tests that run the real binary
 * call this; it fails with the command that fetches it when the cache is cold.
 */
export async function realClaudeBinary(): Promise<string> {
  const version = testClaudeVersion();
  const cacheDir = defaultClaudeCacheDir(process.env, homedir());
  const found = await new ClaudeBinaryCache({ cacheDir }).cached(version);
  if (!found) {
    throw new Error(`Claude Code ${version} is not in ${cacheDir}: run \`npm run build && node test/harness/fetch-claude.js ${version}\` (or \`npm run provision\`)`);
  }
  return found.path;
}
