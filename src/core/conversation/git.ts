import { execa } from 'execa';
import { ConversationError } from './error.js';

/** What a git call printed. */
export interface GitOutput {
  stdout: Uint8Array;
  stderr: string;
}

/** Runs git with `args` in `cwd`; rejects with the command and its stderr on a non-zero exit. */
export type GitRunner = (args: readonly string[], options?: { cwd?: string }) => Promise<GitOutput>;

/** Options of {@link createGitRunner}. */
export interface GitRunnerOptions {
  /** The git executable. Default `git` from PATH. */
  command?: string;
  /** Environment of every call. Default: `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * The only code that spawns git. Argv arrays, never a shell; prompts are
 * disabled so a remote that wants credentials fails instead of hanging the
 * gateway.
 */
export function createGitRunner(options: GitRunnerOptions = {}): GitRunner {
  const command = options.command ?? 'git';
  const env = { ...(options.env ?? process.env), GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' };
  return async (args, runOptions = {}) => {
    const result = await execa(command, args, {
      cwd: runOptions.cwd,
      env,
      extendEnv: false,
      reject: false,
      stdin: 'ignore',
      encoding: 'buffer',
      stripFinalNewline: false,
    });
    const stderr = Buffer.from(result.stderr).toString('utf8').trim();
    if (result.failed) {
      const why = result.exitCode === undefined ? (result.cause instanceof Error ? result.cause.message : 'it could not be started') : `exit code ${result.exitCode}`;
      throw new ConversationError('CONVERSATION_GIT_FAILED', `git ${args.join(' ')} failed (${why})${stderr ? `: ${stderr}` : ''}`, {
        hint: result.exitCode === undefined ? `Install git, or check that "${command}" is on PATH.` : undefined,
        cause: result.cause,
      });
    }
    return { stdout: result.stdout, stderr };
  };
}
