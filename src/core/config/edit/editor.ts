import { basename } from 'node:path';
import { parseDocument, type Document } from 'yaml';
import type { ConfigProblem } from '../error.js';
import { formatKeyPath } from '../key-path.js';
import { keepLayout } from './keep-layout.js';
import { configSchema } from '../schema.js';
import { configTags } from '../tags.js';
import { applyEdits } from './apply-edits.js';
import { checkConfigText } from './check-text.js';
import { checkNotStale, readConfigFile, saveConfigFile } from './config-file.js';
import type { ConfigEdit } from './edit-types.js';
import { ConfigEditError } from './error.js';
import { buildFormModel, type FormGroup } from './form-model.js';
import { unifiedDiff } from './line-diff.js';
import { redactSecrets, secretLiterals } from './secret-fields.js';

/** Where the config is and what `!env` resolves against. */
export interface ConfigEditorOptions {
  path: string;
  env?: Readonly<Record<string, string | undefined>>;
}

/** What the editor page starts from. */
export interface EditorModel {
  path: string;
  exists: boolean;
  /** SHA-256 of the file as read (`''` without a file); send it back with every edit. */
  hash: string;
  /** The form; undefined when the file cannot be parsed (see {@link problems}). */
  form: FormGroup | undefined;
  /** What is wrong with the file as it is on disk now. */
  problems: ConfigProblem[];
}

/** An edit checked without saving. */
export interface EditPreview {
  /** True when the file changed on disk since `baseHash`: saving would be refused. */
  stale: boolean;
  hash: string;
  /** Problems of the edits and of the resulting file; saving needs none. */
  problems: ConfigProblem[];
  /** Unified diff from the file on disk to the result, secrets masked. */
  diff: string;
}

const TO_STRING = { lineWidth: 0 } as const;

function parse(text: string): Document {
  return parseDocument(text, { customTags: configTags, prettyErrors: false });
}

/** Reads the config and builds the form, secrets masked. */
export async function openConfigEditor(options: ConfigEditorOptions): Promise<EditorModel> {
  const file = await readConfigFile(options.path);
  const document = parse(file.text);
  const problems = file.exists ? await checkConfigText(file.text, options) : [];
  const syntaxBroken = document.errors.length > 0;
  return {
    path: options.path,
    exists: file.exists,
    hash: file.hash,
    form: syntaxBroken ? undefined : buildFormModel(configSchema().schema, document),
    problems,
  };
}

async function apply(options: ConfigEditorOptions, edits: readonly ConfigEdit[]) {
  const file = await readConfigFile(options.path);
  const before = parse(file.text);
  if (before.errors.length > 0) {
    throw new ConfigEditError('CONFIG_EDIT_INVALID', `${options.path} has YAML syntax errors, so the form cannot edit it`, {
      hint: `Fix the syntax in ${options.path} by hand (airut check shows where), then reload the editor.`,
    });
  }
  const applied = applyEdits(before, edits);
  const text = edits.length === 0 ? file.text : keepLayout(file.text, before.toString(TO_STRING), applied.document.toString(TO_STRING));
  const editProblems: ConfigProblem[] = applied.problems.map((problem) => ({ keyPath: formatKeyPath(problem.segments), message: problem.message, file: options.path }));
  const problems = [...editProblems, ...await checkConfigText(text, options)];
  const secrets = [...secretLiterals(before), ...secretLiterals(parse(text))];
  const diff = redactSecrets(unifiedDiff(file.text, text, basename(options.path)), secrets);
  return { file, text, problems, diff };
}

/** Applies edits to the file on disk in memory: the problems and diff a save would bring. */
export async function previewConfigEdits(options: ConfigEditorOptions & { baseHash: string; edits: readonly ConfigEdit[] }): Promise<EditPreview> {
  const { file, problems, diff } = await apply(options, options.edits);
  return { stale: file.hash !== options.baseHash, hash: file.hash, problems, diff };
}

/**
 * Applies edits and saves the result atomically (mode 0600). Refuses with
 * CONFIG_EDIT_STALE when the file changed since `baseHash` was read, and with
 * CONFIG_EDIT_INVALID (carrying the problems) when the result would not load.
 */
export async function saveConfigEdits(options: ConfigEditorOptions & { baseHash: string; edits: readonly ConfigEdit[] }): Promise<{ hash: string; diff: string }> {
  checkNotStale(options.path, options.baseHash, await readConfigFile(options.path));
  const { file, text, problems, diff } = await apply(options, options.edits);
  checkNotStale(options.path, options.baseHash, file);
  if (problems.length > 0) throw new ConfigEditInvalid(options.path, problems);
  const hash = await saveConfigFile(options.path, text, options.baseHash);
  return { hash, diff };
}

/** The edited config would not load; `problems` says why, per key. */
export class ConfigEditInvalid extends ConfigEditError {
  constructor(path: string, readonly problems: readonly ConfigProblem[]) {
    super('CONFIG_EDIT_INVALID', `the edited configuration has ${problems.length === 1 ? '1 problem' : `${problems.length} problems`}; ${path} was not changed`, {
      hint: 'Fix the fields marked in the editor, then save again.',
    });
  }
}
