import { dirname, join } from 'node:path';
import { isAirutError } from '../../sandbox/index.js';
import { ConfigError, DOTENV_FILE_NAME, formatProblem, loadConfig, type LoadedConfig } from '../config/index.js';
import { failed, passed, type SectionResult } from './report.js';
import { pathExists } from '../fs/exists.js';
import { checkSchemaVersion } from './schema-line.js';
import { describeSchedule, serverZone } from '../scheduler/index.js';

/** How many config problems the report lists before summarising the rest. */
export const SHOWN_PROBLEMS = 5;

/** What the configuration check found: the section, and the config when it loaded. */
export interface ConfigCheck {
  section: SectionResult;
  loaded: LoadedConfig | undefined;
}

/**
 * Configuration section: the file parses and validates (a missing file is fine:
 * built-in defaults, no repos). Invalid files list their first problems, each
 * with key path, file, line and column.
 */
export async function checkConfig(deps: {
  path: string;
  env: Readonly<Record<string, string | undefined>>;
  load?: typeof loadConfig;
  /** The time schedules' next fires are counted from. Default: now. */
  now?: () => Date;
}): Promise<ConfigCheck> {
  const section = await checkConfigFile(deps);
  const schema = await checkSchemaVersion(deps.path);
  if (schema !== undefined) section.section.checks.splice(1, 0, schema);
  const envFile = join(dirname(deps.path), DOTENV_FILE_NAME);
  if (await pathExists(envFile)) section.section.checks.push(passed('Env file', 'info', `${envFile} (fills in unset !env variables)`));
  return section;
}

async function checkConfigFile(deps: { path: string; env: Readonly<Record<string, string | undefined>>; load?: typeof loadConfig; now?: () => Date }): Promise<ConfigCheck> {
  const name = 'Configuration';
  const load = deps.load ?? loadConfig;
  try {
    const loaded = await load({ path: deps.path, env: deps.env });
    if (!loaded.exists) {
      return { loaded, section: { name, checks: [passed('Config file', 'critical', `${deps.path} not found: no config, defaults (no repos)`, 'Create it from config/airut.example.yaml to serve repositories.')] } };
    }
    const repos = Object.keys(loaded.config.repos).sort();
    const summary = repos.length === 0 ? 'no repos configured' : `${repos.length} repo${repos.length === 1 ? '' : 's'} (${repos.join(', ')})`;
    const now = (deps.now ?? (() => new Date()))();
    const zone = serverZone({ env: deps.env });
    const schedules = repos.flatMap((repo) => Object.entries(loaded.config.repos[repo]?.schedules ?? {}).map(([schedule, config]) =>
      passed(`Schedule ${repo}/${schedule}`, 'info', describeSchedule(config, zone, now))));
    return { loaded, section: { name, checks: [passed('Config file', 'critical', `${deps.path}: valid, ${summary}`), ...schedules] } };
  } catch (error) {
    if (error instanceof ConfigError) {
      const shown = error.problems.slice(0, SHOWN_PROBLEMS).map(formatProblem);
      const more = error.problems.length - shown.length;
      const lead = { CONFIG_INVALID: 'invalid', CONFIG_UNREADABLE: 'unreadable', CONFIG_YAML_SYNTAX: 'YAML syntax error' }[error.code];
      const detail = [`${deps.path}: ${lead}`, ...shown, ...(more > 0 ? [`... and ${more} more`] : [])].join('\n');
      return { loaded: undefined, section: { name, checks: [failed('Config file', 'critical', detail, error.hint ?? `Fix ${deps.path}.`)] } };
    }
    if (isAirutError(error)) {
      return { loaded: undefined, section: { name, checks: [failed('Config file', 'critical', `${deps.path}: ${error.message}`, error.hint ?? `Fix ${deps.path}.`)] } };
    }
    throw error;
  }
}

