import { isMap, isScalar, isSeq, type Document } from 'yaml';
import type { KeySegment } from '../key-path.js';
import { isSecretPath } from '../secrets.js';
import { EnvReference, VarReference } from '../tags.js';

const SECRET_NAME = /(password|passwd|secret|token|private_key|api_key|apikey|credential)/i;

/**
 * True when the value at `segments` must never be shown in full: the schema
 * marks it `x-secret`, or its key is password/token/key-like (which also
 * covers keys a newer schema adds without the mark).
 */
export function isSecretField(segments: readonly KeySegment[]): boolean {
  if (isSecretPath(segments)) return true;
  const last = segments[segments.length - 1];
  return typeof last === 'string' && SECRET_NAME.test(last);
}

/** How a stored secret is shown: its length hidden, at most its last 4 characters, and only when it is long. */
export function maskSecret(value: string): string {
  if (value === '') return '';
  return value.length >= 12 ? `••••••••${value.slice(-4)}` : '••••••••';
}

/** Every literal secret written in the Document (not `!env`/`!var` references, whose values are not in the file). */
export function secretLiterals(document: Document): string[] {
  const found = new Set<string>();
  const visit = (node: unknown, segments: KeySegment[]): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
        if (key !== undefined) visit(pair.value, [...segments, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => visit(item, [...segments, index]));
    } else if (isScalar(node)) {
      const value = node.value;
      if (value instanceof EnvReference || value instanceof VarReference) return;
      if ((typeof value === 'string' || typeof value === 'number') && String(value) !== '' && isSecretField(segments)) found.add(String(value));
    }
  };
  visit(document.contents, []);
  return [...found];
}

/**
 * Replaces every occurrence of the secrets in `text` (each line of a
 * multi-line secret on its own) with its mask, longest first, so a diff or
 * preview never carries them.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  const parts = new Set<string>();
  for (const secret of secrets) {
    for (const line of secret.split('\n')) {
      const trimmed = line.trim();
      if (trimmed.length >= 3) parts.add(trimmed);
    }
  }
  let out = text;
  for (const part of [...parts].sort((a, b) => b.length - a.length)) out = out.split(part).join(maskSecret(part) || '••••••••');
  return out;
}
