import t from 'tap';
import { commandExitCode } from '../../../src/core/run/index.js';

void t.test('the exit code of a command run', (t) => {
  const base = { stdout: '', stderr: '', durationMs: 1, timedOut: false, stopped: false };
  t.equal(commandExitCode({ ...base, exitCode: 7 }), 7, 'the command\'s own');
  t.equal(commandExitCode({ ...base, exitCode: 0 }), 0);
  t.equal(commandExitCode({ ...base, exitCode: 137 }), 137, 'killed inside the container');
  t.equal(commandExitCode({ ...base, exitCode: undefined }), 137, 'the client killed by a signal');
  t.equal(commandExitCode({ ...base, exitCode: 137, timedOut: true }), 124, 'timeout wins');
  t.equal(commandExitCode({ ...base, exitCode: 143, stopped: true }), 130, 'stopped by the user');
  t.end();
});
