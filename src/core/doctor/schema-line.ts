import { readFile } from 'node:fs/promises';
import { isScalar, parseDocument } from 'yaml';
import { configTags, SCHEMA_PATH } from '../config/index.js';
import { failed, passed, type CheckResult } from './report.js';

/** The layout of airut.yaml this version reads and writes: `config_version`'s `const` in airut.schema.json. */
export async function currentConfigVersion(): Promise<number> {
  const schema = JSON.parse(await readFile(SCHEMA_PATH, 'utf8')) as { properties?: { config_version?: { const?: unknown } } };
  const version = schema.properties?.config_version?.const;
  if (typeof version !== 'number') throw new Error(`${SCHEMA_PATH} has no config_version const`);
  return version;
}

/**
 * The schema line (informational): which layout the file declares
 * (`config_version`, 1 when left out) against the one this version knows.
 * Undefined, so no line, when there is no file or it is not YAML: the
 * config check already says why.
 */
export async function checkSchemaVersion(path: string): Promise<CheckResult | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    // Missing or unreadable: the configuration check reports it.
    return undefined;
  }
  const document = parseDocument(text, { customTags: configTags, prettyErrors: false });
  if (document.errors.length > 0) return undefined;
  const current = await currentConfigVersion();
  const node = document.get('config_version', true);
  const declared = node === undefined ? current : isScalar(node) ? node.value : undefined;
  if (declared === current) return passed('Schema', 'info', `up to date (v${current})`);
  if (typeof declared === 'number' && Number.isInteger(declared) && declared < current) {
    return failed('Schema', 'info', `migration pending (v${declared} → v${current})`, 'Save the file from the dashboard\'s config editor to write it in the current layout.');
  }
  return failed('Schema', 'info', `config_version ${JSON.stringify(declared)} in ${path} is not a layout this version knows (v${current})`,
    `A newer Airut wrote it: run \`airut update\`, or set config_version: ${current}.`);
}
