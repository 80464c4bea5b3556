#!/usr/bin/env node
// Makes sure the real Claude Code binary the suite runs is in the default cache,
// so tests can use it offline through test/harness/claude-binary.ts. The version
// is the one pinned in test/harness/claude-version.json; an argument (a version
// or a channel such as latest) or AIRUT_TEST_CLAUDE_VERSION overrides it, for
// `npm run canary`. The first run downloads the npm platform package (~190 MB)
// from the registry npm is configured with; later runs reuse it.
// Prints the binary's path on stdout. Needs `npm run build` first.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';

let binary;
try {
  binary = await import('../../dist/sandbox/claude/binary/index.js');
} catch (err) {
  console.error(`fetch-claude: cannot load the built library (${err.message}); run \`npm run build\` first`);
  process.exit(1);
}
const { ClaudeBinaryCache, defaultClaudeCacheDir } = binary;

const pinned = JSON.parse(readFileSync(new URL('./claude-version.json', import.meta.url), 'utf8')).version;
const wanted = process.argv[2] || process.env.AIRUT_TEST_CLAUDE_VERSION || pinned;

const cache = new ClaudeBinaryCache({ cacheDir: defaultClaudeCacheDir(process.env, homedir()) });
let lastShown = 0;
try {
  const result = await cache.ensure(wanted, {
    onProgress(bytes, total) {
      // One line per 10% (or per 20 MB when the size is unknown), on stderr so stdout stays the path.
      const step = total ? total / 10 : 20 * 1024 * 1024;
      if (bytes - lastShown >= step || bytes === total) {
        lastShown = bytes;
        const mb = (n) => `${(n / 1024 / 1024).toFixed(1)} MB`;
        console.error(`fetch-claude: ${mb(bytes)}${total ? ` of ${mb(total)}` : ''}`);
      }
    },
  });
  for (const warning of result.warnings) console.error(`fetch-claude: warning: ${warning}`);
  if (result.downloaded) console.error(`fetch-claude: installed Claude Code ${result.version}`);
  console.log(result.path);
} catch (err) {
  console.error(`fetch-claude: ${err.message}`);
  if (err.hint) console.error(`fetch-claude: hint: ${err.hint}`);
  process.exit(1);
}
