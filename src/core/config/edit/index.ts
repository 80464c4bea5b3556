/**
 * Editing airut.yaml from the dashboard: a form built from airut.schema.json,
 * edits applied to the YAML Document (comments, key order and `!env`/`!var`
 * references kept), checked with the loader's own rules, previewed as a
 * diff with secrets masked, and saved atomically with mode 0600.
 */
export { openConfigEditor, previewConfigEdits, saveConfigEdits, ConfigEditInvalid, type ConfigEditorOptions, type EditorModel, type EditPreview } from './editor.js';
export { applyEdits, type AppliedEdits, type EditProblem } from './apply-edits.js';
export { parseEdits } from './parse-edits.js';
export type { ConfigEdit } from './edit-types.js';
export { ConfigEditError, type ConfigEditErrorCode } from './error.js';
export { buildFormModel, type FormNode, type FormField, type FormGroup, type FormMap, type FieldInput, type FieldValue } from './form-model.js';
export { unifiedDiff } from './line-diff.js';
export { saveConfigFile, readConfigFile, hashText } from './config-file.js';
export { checkConfigText } from './check-text.js';
export { isSecretField, maskSecret, redactSecrets, secretLiterals } from './secret-fields.js';
