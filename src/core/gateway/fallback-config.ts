import { Document } from 'yaml';
import { configTags, validateConfig, type LoadedConfig } from '../config/index.js';

/**
 * The config the service runs with while its file does not load: the
 * built-in defaults (no repos, the default dashboard address), marked as a
 * file that exists, so that a reload of the fixed file starts its repos and
 * a missing file later is not taken for "no config".
 *
 * @param hash SHA-256 of the file that failed, when it could be read: the
 *   file watcher reloads once the bytes differ from these.
 */
export function fallbackConfig(path: string, hash: string | undefined): LoadedConfig {
  const { config } = validateConfig({});
  if (config === undefined) throw new Error('the built-in defaults do not validate');
  return { config, path, exists: true, hash: hash ?? '', document: new Document({}, { customTags: configTags }) };
}
