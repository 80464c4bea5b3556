/**
 * The server config, airut.yaml: where it lives, how it is loaded (`!env`,
 * `!var`, `.env`), validated against airut.schema.json, and what it contains.
 */
export { configPaths, resolveConfigPath, CONFIG_FILE_NAME, type AirutPaths, type PathEnv, type ResolveConfigPathOptions } from './paths.js';
export { loadConfig, DOTENV_FILE_NAME, type LoadedConfig, type LoadConfigOptions } from './load.js';
export { validateConfig, type ValidateOptions, type ValidationResult } from './validate-config.js';
export { ConfigError, formatProblem, type ConfigProblem, type ConfigErrorCode } from './error.js';
export { EnvReference, VarReference, configTags } from './tags.js';
export { parseDotEnv, readDotEnv } from './dotenv.js';
export { formatKeyPath, type KeySegment } from './key-path.js';
export { SCHEMA_PATH } from './schema.js';
export { isSecretPath, secretValues } from './secrets.js';
export type { SourceLocator, SourcePosition, EntryPart } from './source-map.js';
export type * from './schema-types.js';
