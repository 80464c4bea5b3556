/**
 * The config editor's wire format (`GET /api/config` and the edit calls),
 * as plain data; the server side is `src/core/config/edit/`.
 */

/** One key segment: a map key or a list index. */
export type KeySegmentWire = string | number;

/** A field's value as the server shows it (secrets masked). */
export interface FieldValueWire {
  state: 'unset' | 'literal' | 'reference' | 'masked';
  text: string;
  lines?: string[];
}

/** One editable value. */
export interface FormFieldWire {
  kind: 'field';
  key: string;
  input: 'text' | 'integer' | 'number' | 'boolean' | 'enum' | 'lines' | 'yaml';
  description: string;
  default?: string;
  options?: string[];
  secret: boolean;
  required: boolean;
  readOnly: boolean;
  value: FieldValueWire;
}

/** A mapping with fixed keys. */
export interface FormGroupWire {
  kind: 'group';
  key: string;
  description: string;
  optional: boolean;
  present: boolean;
  required: boolean;
  children: FormNodeWire[];
}

/** A mapping with keys of the user's choosing. */
export interface FormMapWire {
  kind: 'map';
  key: string;
  description: string;
  keyPattern?: string;
  keyHint?: string;
  entries: FormNodeWire[];
  template: FormNodeWire;
}

/** One node of the form. */
export type FormNodeWire = FormFieldWire | FormGroupWire | FormMapWire;

/** One problem with the file or the edits. */
export interface ProblemWire {
  keyPath: string;
  message: string;
}

/** What `GET /api/config` answers. */
export interface EditorModelWire {
  exists: boolean;
  hash: string;
  form: FormGroupWire | undefined;
  problems: ProblemWire[];
}

/** One change the editor sends. */
export type ConfigEditWire =
  | { op: 'set'; path: KeySegmentWire[]; value: string | string[] }
  | { op: 'delete'; path: KeySegmentWire[] }
  | { op: 'addObject'; path: KeySegmentWire[] }
  | { op: 'addRepo'; id: string }
  | { op: 'removeRepo'; id: string };

/** The answer of the validate, diff and save calls (fields by call and status). */
export interface EditAnswerWire {
  problems?: ProblemWire[];
  stale?: boolean;
  diff?: string;
  hash?: string;
  message?: string;
  hint?: string;
}
