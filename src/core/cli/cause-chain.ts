import { isAirutError } from '../../sandbox/error.js';

/** How much of a failure to show: `verbose` adds the cause chain, `debug` also each stack. */
export type FailureDetail = 'normal' | 'verbose' | 'debug';

/** Causes deeper than this are summarised; a chain that long is a loop or a bug. */
const MAX_DEPTH = 10;

/**
 * The `Caused by: ...` lines for `error`'s `cause` chain (empty at `normal`
 * detail or without a cause). Each line names the cause's class, its code
 * when it has one (Airut's or Node's) and its message; at `debug` the stack
 * follows each. A cause that is not an Error is shown as its JSON text.
 */
export function describeCauses(error: unknown, detail: FailureDetail): string {
  if (detail === 'normal') return '';
  const lines: string[] = [];
  const seen = new Set<unknown>([error]);
  let cause = causeOf(error);
  for (let depth = 0; cause !== undefined; depth++) {
    if (depth === MAX_DEPTH || seen.has(cause)) {
      lines.push('Caused by: ... (the chain goes on or loops back)');
      break;
    }
    seen.add(cause);
    lines.push(`Caused by: ${describeOne(cause)}`);
    if (detail === 'debug' && cause instanceof Error && cause.stack !== undefined) {
      lines.push(...cause.stack.split('\n').slice(1).map((line) => `  ${line.trim()}`));
    }
    cause = causeOf(cause);
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/**
 * The detail the caller asked for, read from the raw arguments before `--`
 * (what follows belongs to the command run in the sandbox). Read from argv
 * because a failure may come before, or from, flag parsing.
 */
export function failureDetail(argv: readonly string[]): FailureDetail {
  const end = argv.indexOf('--');
  const own = end === -1 ? argv : argv.slice(0, end);
  if (own.includes('--debug')) return 'debug';
  if (own.includes('--verbose')) return 'verbose';
  return 'normal';
}

function causeOf(value: unknown): unknown {
  return value instanceof Error ? value.cause : undefined;
}

function describeOne(cause: unknown): string {
  if (!(cause instanceof Error)) {
    let text: string | undefined;
    try {
      text = JSON.stringify(cause);
    } catch {
      // Circular or BigInt values: fall back to String() below.
    }
    return text ?? String(cause);
  }
  const code = isAirutError(cause) ? cause.code : (cause as NodeJS.ErrnoException).code;
  return `${cause.name}${typeof code === 'string' ? ` [${code}]` : ''}: ${cause.message}`;
}
