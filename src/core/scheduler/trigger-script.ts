/**
 * Script mode of a schedule (`trigger_command`): the command line split into
 * argv without a shell, and what its result means for the task.
 */

/** Minimal view of a finished command (the sandbox's CommandResult fits). */
export interface TriggerResult {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  stopped: boolean;
}

/** A trigger command that cannot be split into words. */
export class TriggerCommandError extends Error {
  constructor(readonly command: string, problem: string) {
    super(`trigger_command ${JSON.stringify(command)}: ${problem}`);
    this.name = 'TriggerCommandError';
  }
}

/**
 * Splits `command` into words as a POSIX shell would quote them, and does
 * nothing else: no variables, globs, pipes or redirections (`|`, `>`, `$HOME`
 * are passed on as literal arguments). Single quotes keep everything;
 * double quotes keep everything but `\"`, `\\`, `\$` and `` \` ``; a
 * backslash outside quotes keeps the next character.
 */
export function splitCommand(command: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < command.length; i++) {
    const c = command[i] as string;
    if (c === "'") {
      const end = command.indexOf("'", i + 1);
      if (end < 0) throw new TriggerCommandError(command, 'a single quote is not closed');
      word += command.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === '"') {
      inWord = true;
      let closed = false;
      for (i++; i < command.length; i++) {
        const d = command[i] as string;
        if (d === '"') { closed = true; break; }
        if (d === '\\' && i + 1 < command.length && '"\\$`'.includes(command[i + 1] as string)) {
          word += command[i + 1];
          i++;
        } else {
          word += d;
        }
      }
      if (!closed) throw new TriggerCommandError(command, 'a double quote is not closed');
    } else if (c === '\\') {
      if (i + 1 >= command.length) throw new TriggerCommandError(command, 'it ends with a lone backslash');
      // A backslash before a newline joins lines, as in a shell.
      if (command[i + 1] !== '\n') word += command[i + 1];
      inWord = true;
      i++;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  if (words.length === 0) throw new TriggerCommandError(command, 'it has no command word');
  return words;
}

/** `512B`, `100KB` (rounded), `2.3MB`. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes}B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)}KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)}MB`;
}

/**
 * `text` cut to at most `limit` UTF-8 bytes (never inside a character), with
 * a note saying where it was cut and how long it was; unchanged when it fits.
 */
export function truncateUtf8(text: string, limit: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= limit) return text;
  let end = limit;
  // Back off over continuation bytes (10xxxxxx) so no character is split.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return `${bytes.subarray(0, end).toString('utf8')}\n[...truncated at ${formatSize(limit)}, total output was ${formatSize(bytes.length)}]`;
}

/**
 * The task text a trigger's result asks for: undefined (nothing to do) after
 * a clean exit with blank output; the output after a clean exit with some;
 * after a failure (non-zero exit, timeout, kill) a request to investigate it
 * with the command, exit code and both outputs. Outputs are cut to `limit` bytes.
 */
export function triggerPrompt(command: string, result: TriggerResult, limit: number): string | undefined {
  const clean = result.exitCode === 0 && !result.timedOut && !result.stopped;
  if (clean) return result.stdout.trim() === '' ? undefined : truncateUtf8(result.stdout, limit);
  const code = result.exitCode ?? (result.timedOut ? 'none (killed at the trigger timeout)' : 'none (killed)');
  return [
    'The scheduled trigger script failed unexpectedly.',
    '',
    `Command: ${command}`,
    `Exit code: ${code}`,
    '',
    'Output:',
    truncateUtf8(`${result.stdout}${result.stderr}`, limit),
    '',
    'Investigate the failure and report findings.',
  ].join('\n');
}
