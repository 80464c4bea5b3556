import type { KeySegment } from '../key-path.js';
import type { ConfigEdit } from './edit-types.js';
import { ConfigEditError } from './error.js';

const MAX_EDITS = 2000;

function bad(message: string): ConfigEditError {
  return new ConfigEditError('CONFIG_EDIT_BAD_REQUEST', message, {
    hint: 'Each edit is {"op":"set","path":[...],"value":"text" or ["item",...]}, {"op":"delete"|"addObject","path":[...]} or {"op":"addRepo"|"removeRepo","id":"name"}.',
  });
}

function pathOf(value: unknown, index: number): KeySegment[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > 16
    || !value.every((segment) => (typeof segment === 'string' && segment !== '') || (Number.isInteger(segment) && (segment as number) >= 0))) {
    throw bad(`edit ${index}: "path" must be a list of 1 to 16 keys, got ${JSON.stringify(value)}`);
  }
  return value as KeySegment[];
}

/** Checks the shape of edits received as JSON; throws CONFIG_EDIT_BAD_REQUEST naming the first bad one. */
export function parseEdits(value: unknown): ConfigEdit[] {
  if (!Array.isArray(value)) throw bad(`"edits" must be a list, got ${JSON.stringify(value) ?? 'nothing'}`);
  if (value.length > MAX_EDITS) throw bad(`at most ${MAX_EDITS} edits at once, got ${value.length}`);
  return value.map((raw: unknown, index): ConfigEdit => {
    const edit = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    switch (edit.op) {
      case 'set': {
        const v = edit.value;
        const ok = typeof v === 'string' || (Array.isArray(v) && v.every((item) => typeof item === 'string'));
        if (!ok) throw bad(`edit ${index}: "value" must be text or a list of texts, got ${JSON.stringify(v) ?? 'nothing'}`);
        return { op: 'set', path: pathOf(edit.path, index), value: v };
      }
      case 'delete':
      case 'addObject':
        return { op: edit.op, path: pathOf(edit.path, index) };
      case 'addRepo':
      case 'removeRepo':
        if (typeof edit.id !== 'string' || edit.id === '') throw bad(`edit ${index}: "id" must be a repo id, got ${JSON.stringify(edit.id) ?? 'nothing'}`);
        return { op: edit.op, id: edit.id };
      default:
        throw bad(`edit ${index}: unknown "op" ${JSON.stringify(edit.op) ?? '(missing)'}; valid: set, delete, addObject, addRepo, removeRepo`);
    }
  });
}
