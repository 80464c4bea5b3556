// A second, light entry of the library besides index.ts: it imports nothing, so
// code that only needs to recognise an Airut error (the CLI's command base, on
// every start) does not load the whole sandbox.

/**
 * The base of every error Airut throws on purpose.
 *
 * Each area (config, runtime, image, claude binary, network, ...) subclasses it
 * once. `code` is stable and unique across the project (a test asserts this), so
 * callers and scripts can branch on it; `hint` says what would be valid or how to
 * fix it; `exitCode` is what a command exits with when this error reaches it.
 */
export class AirutError extends Error {
  /** Stable, unique identifier, e.g. `CONFIG_INVALID`. */
  readonly code: string;
  /** Process exit code a command should use when this error ends it. */
  readonly exitCode: number;
  /** One or more lines telling the user how to fix the problem. */
  readonly hint: string | undefined;

  constructor(code: string, message: string, options: { hint?: string; exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = options.exitCode ?? 1;
    this.hint = options.hint;
  }
}

/** True when `value` is an {@link AirutError} (also across duplicated module copies). */
export function isAirutError(value: unknown): value is AirutError {
  return value instanceof AirutError
    || (value instanceof Error && typeof (value as { code?: unknown }).code === 'string' && 'exitCode' in value && 'hint' in value);
}
