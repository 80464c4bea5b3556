/** A value to keep out of text, and the name to show in its place. */
export interface RedactableSecret {
  readonly name: string;
  readonly value: string;
}

/** Values this short would also erase ordinary words; they are left alone (and make poor secrets anyway). */
const MIN_REDACTED_LENGTH = 6;

/**
 * A function that replaces every occurrence of the real `value`s in a text
 * with `[masked:NAME]`, for logs and replies that might echo a credential
 * back (an upstream error that quotes the request, for instance). Longer
 * values are replaced first so that one value containing another is masked whole.
 */
export function createRedactor(secrets: readonly RedactableSecret[]): (text: string) => string {
  const active = secrets
    .filter((s) => s.value.length >= MIN_REDACTED_LENGTH)
    .sort((a, b) => b.value.length - a.value.length);
  if (active.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const secret of active) {
      if (out.includes(secret.value)) out = out.split(secret.value).join(`[masked:${secret.name}]`);
    }
    return out;
  };
}
