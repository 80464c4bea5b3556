import type { ErrorObject } from 'ajv';
import { describeType, describeValue } from './describe-value.js';
import { closestMatch } from './did-you-mean.js';
import type { KeySegment } from './key-path.js';
import type { EntryPart } from './source-map.js';

/** A problem found by the schema, before its location is looked up. */
export interface SchemaProblem {
  segments: KeySegment[];
  part: EntryPart;
  message: string;
}

type Params = Record<string, unknown>;

function quoteList(values: readonly unknown[]): string {
  return values.map((value) => JSON.stringify(value)).join(', ');
}

/** Splits an instance path into segments, numbering only real list indexes. */
function segmentsOf(pointer: string, data: unknown): KeySegment[] {
  if (pointer === '') return [];
  const segments: KeySegment[] = [];
  let current: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(current)) {
      const index = Number(key);
      segments.push(index);
      current = current[index];
    } else {
      segments.push(key);
      current = typeof current === 'object' && current !== null ? (current as Record<string, unknown>)[key] : undefined;
    }
  }
  return segments;
}

function propertyNames(parentSchema: unknown): string[] {
  const properties = (parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return properties === undefined ? [] : Object.keys(properties);
}

function patternWords(parentSchema: unknown, pattern: unknown): string {
  const hint = (parentSchema as Record<string, unknown> | undefined)?.['x-pattern-hint'];
  return typeof hint === 'string' ? hint : `text matching the pattern ${String(pattern)}`;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/**
 * Says what one ajv error means to an operator: what is wrong, the value found,
 * and what would be valid. Returns undefined for errors that only summarise
 * others (e.g. `propertyNames`, whose detail is its own error).
 */
function translate(error: ErrorObject, data: unknown, badKeys: ReadonlySet<string>): SchemaProblem | undefined {
  const params = error.params as Params;
  const segments = segmentsOf(error.instancePath, data);
  const value: unknown = error.data;
  const got = `got ${describeValue(value)}`;

  // A key that breaks `propertyNames`: ajv reports it at the parent, with the key as data.
  if (typeof value === 'string' && error.keyword !== 'propertyNames' && badKeys.has(JSON.stringify([error.instancePath, value]))) {
    const what = error.keyword === 'pattern' ? patternWords(error.parentSchema, params.pattern) : error.message ?? 'a valid name';
    return { segments: [...segments, value], part: 'key', message: `invalid key: must be ${what}, got ${JSON.stringify(value)}` };
  }

  switch (error.keyword) {
    case 'propertyNames':
      return undefined;
    case 'additionalProperty':
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const valid = propertyNames(error.parentSchema);
      const suggestion = closestMatch(key, valid);
      const help = suggestion !== undefined
        ? `did you mean ${JSON.stringify(suggestion)}?`
        : valid.length > 0 ? `valid keys here: ${valid.join(', ')}` : 'no keys are allowed here';
      return { segments: [...segments, key], part: 'key', message: `unknown key; ${help}` };
    }
    case 'required':
      return { segments: [...segments, String(params.missingProperty)], part: 'key', message: 'is required but missing' };
    case 'type':
      return { segments, part: 'value', message: `must be ${describeType(params.type)}, ${got}` };
    case 'enum': {
      const allowed = (params.allowedValues as unknown[] | undefined) ?? [];
      const suggestion = typeof value === 'string' ? closestMatch(value, allowed.map(String)) : undefined;
      const hint = suggestion === undefined ? '' : ` (did you mean ${JSON.stringify(suggestion)}?)`;
      return { segments, part: 'value', message: `must be one of ${quoteList(allowed)}; ${got}${hint}` };
    }
    case 'const':
      return { segments, part: 'value', message: `must be ${JSON.stringify(params.allowedValue)}, ${got}` };
    case 'pattern':
      return { segments, part: 'value', message: `must be ${patternWords(error.parentSchema, params.pattern)}, ${got}` };
    case 'format':
      return { segments, part: 'value', message: `must be ${params.format === 'ip-address' ? 'an IP address like "10.0.0.5"' : `a valid ${String(params.format)}`}, ${got}` };
    case 'minimum':
      return { segments, part: 'value', message: `must be at least ${String(params.limit)}, ${got}` };
    case 'maximum':
      return { segments, part: 'value', message: `must be at most ${String(params.limit)}, ${got}` };
    case 'exclusiveMinimum':
      return { segments, part: 'value', message: `must be more than ${String(params.limit)}, ${got}` };
    case 'exclusiveMaximum':
      return { segments, part: 'value', message: `must be less than ${String(params.limit)}, ${got}` };
    case 'minLength':
      return { segments, part: 'value', message: params.limit === 1 ? 'must not be empty' : `must be at least ${plural(Number(params.limit), 'character')} long, ${got}` };
    case 'maxLength':
      return { segments, part: 'value', message: `must be at most ${plural(Number(params.limit), 'character')} long, ${got}` };
    case 'minItems':
      return { segments, part: 'value', message: params.limit === 1 ? 'must not be an empty list' : `must list at least ${plural(Number(params.limit), 'item')}` };
    case 'maxItems':
      return { segments, part: 'value', message: `must list at most ${plural(Number(params.limit), 'item')}` };
    case 'minProperties':
    case 'maxProperties': {
      const keys = propertyNames(error.parentSchema);
      const schema = error.parentSchema as { minProperties?: number; maxProperties?: number } | undefined;
      const present = typeof value === 'object' && value !== null ? Object.keys(value) : [];
      const found = present.length === 0 ? 'got none' : `got ${present.join(', ')}`;
      if (schema?.minProperties === 1 && schema.maxProperties === 1 && keys.length > 0) {
        return { segments, part: 'value', message: `must have exactly one of the keys ${keys.join(', ')}; ${found}` };
      }
      const bound = error.keyword === 'minProperties' ? 'at least' : 'at most';
      return { segments, part: 'value', message: `must have ${bound} ${plural(Number(params.limit), 'key')}; ${found}` };
    }
    default:
      return { segments, part: 'value', message: error.message ?? `is invalid (${error.keyword})` };
  }
}

/**
 * Turns ajv's errors into one problem per key path (the first, most specific
 * one: a wrong type also fails the pattern, and saying both is noise).
 */
export function schemaProblems(errors: readonly ErrorObject[], data: unknown): SchemaProblem[] {
  const seen = new Set<string>();
  const problems: SchemaProblem[] = [];
  // ajv reports a bad key as the failed keyword (e.g. pattern, with the key as data),
  // followed by a `propertyNames` error naming the key; only the latter says it is a key.
  const badKeys = new Set(errors
    .filter((error) => error.keyword === 'propertyNames')
    .map((error) => JSON.stringify([error.instancePath, (error.params as Params).propertyName])));
  for (const error of errors) {
    const problem = translate(error, data, badKeys);
    if (problem === undefined) continue;
    const key = JSON.stringify(problem.segments);
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  return problems;
}
