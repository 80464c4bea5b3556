/**
 * Sends `signal` to one child process. A child without a pid (its spawn failed)
 * is an error here: `process.kill(0, ...)` would signal the whole process group,
 * tap and npm included, and end the test run without a summary.
 * @returns false when the child had already exited (ESRCH), true otherwise.
 */
export function signalChild(child: { readonly pid?: number | undefined }, signal: NodeJS.Signals): boolean {
  const pid = child.pid;
  if (pid === undefined || !Number.isInteger(pid) || pid <= 0) {
    throw new Error(`cannot send ${signal}: the child process has no pid (${String(pid)}); did it fail to start?`);
  }
  try {
    process.kill(pid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}
