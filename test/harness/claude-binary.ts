import { homedir } from 'node:os';
import { ClaudeBinaryCache, defaultClaudeCacheDir } from '../../src/sandbox/claude/binary/index.js';

/**
 * The real Claude Code binary (`latest`) from the default cache, found without
 * any network access. Tests that run the real binary call this; it fails with
 * the command that fetches it when the cache is cold.
 */
export async function realClaudeBinary(): Promise<string> {
  const cacheDir = defaultClaudeCacheDir(process.env, homedir());
  const found = await new ClaudeBinaryCache({ cacheDir }).cached('latest');
  if (!found) {
    throw new Error(`The real Claude Code binary is not in ${cacheDir}: run \`npm run build && node test/harness/fetch-claude.js\` (or \`npm run provision\`)`);
  }
  return found.path;
}
