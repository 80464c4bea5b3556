// Run as a separate process by concurrency.test.ts: ensures one version in a
// cache directory and prints the result as JSON on stdout.
import { makeCache } from './setup.js';

const [cacheDir, registryUrl, version] = process.argv.slice(2);
if (cacheDir === undefined || registryUrl === undefined || version === undefined) {
  throw new Error('usage: ensure-in-child.ts CACHE_DIR REGISTRY_URL VERSION');
}
const result = await makeCache(cacheDir, cacheDir, registryUrl).ensure(version);
process.stdout.write(JSON.stringify(result));
