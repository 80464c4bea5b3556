import { Command, Errors } from '@oclif/core';
import { homedir } from 'node:os';
import { isAirutError, type AirutError } from '../../sandbox/index.js';
import type { ManualFacts } from '../manual/index.js';

/**
 * Base of every Airut command: turns an {@link AirutError} into one clear
 * message (plus its hint) on stderr and the error's exit code, never a stack
 * trace. Anything else is left to oclif, which prints it as a bug.
 */
export abstract class AirutCommand extends Command {
  static exitCodes: ManualFacts['exitCodes'];
  static environment: ManualFacts['environment'];
  static files: ManualFacts['files'];

  protected override async catch(error: Error & { exitCode?: number }): Promise<unknown> {
    if (isAirutError(error)) {
      process.stderr.write(await this.describeFailure(error));
      this.exit(error.exitCode);
    }
    if (error instanceof Errors.CLIError && !(error instanceof Errors.ExitError)) {
      // Flag and argument errors from oclif's parser: its message is already clear.
      process.stderr.write(`Error: ${error.message}\n`);
      this.exit(typeof error.oclif.exit === 'number' ? error.oclif.exit : 2);
    }
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
