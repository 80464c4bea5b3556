const MAX_SHOWN = 60;

/** How a value from the config is quoted in a message: `"abc"`, `5`, `a list`. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') {
    const shown = value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}...` : value;
    return JSON.stringify(shown);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value;
}

const TYPE_NAMES: Record<string, string> = {
  integer: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
  null: 'empty',
};

/** `an integer`, `a string or a number`: the JSON Schema type(s) in words. */
export function describeType(type: unknown): string {
  const types = Array.isArray(type) ? type.map(String) : [String(type)];
  if (types.length > 1 && types.every((name) => ['string', 'number', 'integer', 'boolean'].includes(name))) {
    return `a single value (${types.map((name) => (name === 'boolean' ? 'true/false' : name === 'string' ? 'text' : name)).join(', ')})`;
  }
  const words = types.map((name) => TYPE_NAMES[name] ?? name);
  if (words.length <= 1) return words[0] ?? 'a value';
  return `${words.slice(0, -1).join(', ')} or ${words[words.length - 1] ?? ''}`;
}
