import { execa } from 'execa';

/** What one helper program run produced; `notFound` when the executable is missing. */
export interface ProcessOutcome {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  notFound: boolean;
}

/**
 * Runs a host tool (git, systemctl) for a check. The environment is passed whole,
 * so PATH decides which executable runs: tests put fake ones first.
 */
export type ProcessRunner = (
  file: string,
  args: readonly string[],
  options: { env: Readonly<Record<string, string | undefined>>; timeoutMs: number },
) => Promise<ProcessOutcome>;

/** The production {@link ProcessRunner}: execa, never throwing for exit codes. */
export const runProcess: ProcessRunner = async (file, args, options) => {
  const result = await execa(file, args, {
    env: options.env,
    extendEnv: false,
    timeout: options.timeoutMs,
    reject: false,
    stdin: 'ignore',
  });
  const notFound = (result as { code?: string }).code === 'ENOENT';
  return {
    exitCode: result.exitCode ?? null,
    stdout: result.stdout.trim(),
    stderr: notFound ? (result.shortMessage ?? `${file}: not found`) : result.stderr.trim(),
    notFound,
  };
};
