import { Command, Errors, Flags } from '@oclif/core';
import { homedir } from 'node:os';
import { isAirutError, type AirutError } from '../../sandbox/error.js';
import type { ManualFacts } from '../manual/index.js';
import { describeCauses, failureDetail } from './cause-chain.js';

/**
 * Base of every Airut command, and the one exit-code policy of the CLI: an
 * {@link AirutError} becomes one clear message (plus its hint) on stderr and
 * an exit code, never a stack trace; a flag or argument error names the help
 * to read. `--verbose` adds the error's cause chain, `--debug` also the stacks.
 * Anything else is left to oclif, which prints it as a bug.
 */
export abstract class AirutCommand extends Command {
  static exitCodes: ManualFacts['exitCodes'];
  static environment: ManualFacts['environment'];
  static files: ManualFacts['files'];

  /**
   * When set, every Airut failure of this command, flag errors included,
   * exits with this code instead of the error's own (the sandbox commands'
   * 125 for "Airut itself failed", which a command's own codes cannot collide
   * with), except the codes in {@link AirutCommand.ownExitCodeErrors}.
   */
  static failureExitCode: number | undefined;
  /** Error codes that keep their own exit code despite {@link AirutCommand.failureExitCode} (e.g. an empty prompt, 1). */
  static ownExitCodeErrors: readonly string[] = [];

  /** On every command (CLI-08): how much a failure shows. */
  static override baseFlags = {
    verbose: Flags.boolean({ description: 'On failure, also print the chain of causes behind the error.', helpGroup: 'GLOBAL' }),
    debug: Flags.boolean({ description: 'Like --verbose, with the stack of the error and of each cause.', helpGroup: 'GLOBAL' }),
  };

  protected override async catch(error: Error & { exitCode?: number }): Promise<unknown> {
    const policy = this.constructor as typeof AirutCommand;
    const detail = failureDetail(this.argv);
    if (isAirutError(error)) {
      const stack = detail === 'debug' && error.stack !== undefined ? `${error.stack.split('\n').slice(1).map((line) => `  ${line.trim()}`).join('\n')}\n` : '';
      process.stderr.write(`${await this.describeFailure(error)}${stack}${describeCauses(error, detail)}`);
      const override = policy.ownExitCodeErrors.includes(error.code) ? undefined : policy.failureExitCode;
      this.exit(override ?? error.exitCode);
    }
    if (error instanceof Errors.CLIError && !(error instanceof Errors.ExitError)) {
      // Flag and argument errors from oclif's parser: its message is already clear.
      const command = [this.config.bin, this.id?.replaceAll(':', ' ')].filter(Boolean).join(' ');
      process.stderr.write(`Error: ${error.message}\nHint: see ${command} --help\n`);
      this.exit(policy.failureExitCode ?? (typeof error.oclif.exit === 'number' ? error.oclif.exit : 2));
    }
    if (!(error instanceof Errors.ExitError)) process.stderr.write(describeCauses(error, detail));
    return super.catch(error);
  }

  /**
   * `Error: ...` and `Hint: ...` lines for an Airut error. When the container
   * engine itself cannot start containers on this host, whichever step met it,
   * the lines carry `airut check`'s diagnosis and fix instead of the step's
   * own hint (which would point at the wrong thing).
   */
  protected async describeFailure(error: AirutError): Promise<string> {
    const { engineFailureAdvice } = await import('../doctor/index.js');
    const { configPaths } = await import('../config/index.js');
    const advice = engineFailureAdvice(error, { uid: process.getuid?.() ?? 0, configDir: configPaths(process.env, homedir()).configDir });
    const lines = [`Error: ${error.message}`];
    if (advice !== undefined) lines.push(`Cause: ${advice.diagnosis}`, `Hint: ${advice.fix}`);
    else if (error.hint) lines.push(`Hint: ${error.hint}`);
    return `${lines.join('\n')}\n`;
  }
}
