import type { ScalarTag } from 'yaml';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * `!env NAME` or `!env NAME?` as found in the file. It stays in the parsed
 * Document as this object, so saving the Document writes the reference back
 * instead of the secret behind it.
 */
export class EnvReference {
  /**
   * @param name The environment variable.
   * @param optional Written as `NAME?`: an unset variable leaves the key out instead of being an error.
   */
  constructor(readonly name: string, readonly optional: boolean) {}

  /** The tag's text, e.g. `IMAP_PASSWORD?`. */
  toString(): string {
    return this.optional ? `${this.name}?` : this.name;
  }
}

/** `!var NAME` as found in the file: the value of `vars.NAME`. */
export class VarReference {
  /** @param name The variable in the top-level `vars:` mapping. */
  constructor(readonly name: string) {}

  /** The tag's text. */
  toString(): string {
    return this.name;
  }
}

/** The YAML tag `!env NAME` / `!env NAME?`. */
export const envTag: ScalarTag = {
  tag: '!env',
  identify: (value) => value instanceof EnvReference,
  resolve(text, onError) {
    const trimmed = text.trim();
    const optional = trimmed.endsWith('?');
    const name = optional ? trimmed.slice(0, -1) : trimmed;
    if (!ENV_NAME.test(name)) {
      onError(`!env needs an environment variable name (letters, digits and "_"), optionally followed by "?", like "!env IMAP_PASSWORD"; got ${JSON.stringify(text)}`);
    }
    return new EnvReference(name, optional);
  },
  stringify: (item) => String(item.value),
};

/** The YAML tag `!var NAME`. */
export const varTag: ScalarTag = {
  tag: '!var',
  identify: (value) => value instanceof VarReference,
  resolve(text, onError) {
    const name = text.trim();
    if (!VAR_NAME.test(name)) {
      onError(`!var needs a variable name from vars: (letters, digits, "_" and "-"), like "!var default_model"; got ${JSON.stringify(text)}`);
    }
    return new VarReference(name);
  },
  stringify: (item) => String(item.value),
};

/** The custom tags of airut.yaml, for `parseDocument(text, { customTags })`. */
export const configTags: ScalarTag[] = [envTag, varTag];
