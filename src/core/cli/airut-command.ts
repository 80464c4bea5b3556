import { Command, Errors } from '@oclif/core';
import { isAirutError } from '../../sandbox/error.js';
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
      const lines = [`Error: ${error.message}`];
      if (error.hint) lines.push(`Hint: ${error.hint}`);
      process.stderr.write(`${lines.join('\n')}\n`);
      this.exit(error.exitCode);
    }
    if (error instanceof Errors.CLIError && !(error instanceof Errors.ExitError)) {
      // Flag and argument errors from oclif's parser: its message is already clear.
      process.stderr.write(`Error: ${error.message}\n`);
      this.exit(typeof error.oclif.exit === 'number' ? error.oclif.exit : 2);
    }
    return super.catch(error);
  }
}
