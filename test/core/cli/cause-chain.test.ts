import t from 'tap';
import { describeCauses, failureDetail } from '../../../src/core/cli/index.js';
import { AirutError } from '../../../src/sandbox/index.js';

void t.test('failureDetail reads only the arguments before --', async (t) => {
  t.equal(failureDetail(['check']), 'normal');
  t.equal(failureDetail(['--verbose']), 'verbose');
  t.equal(failureDetail(['--verbose', '--debug']), 'debug');
  t.equal(failureDetail(['--', 'grep', '--verbose']), 'normal', 'a flag of the sandboxed command is not ours');
  t.equal(failureDetail(['--debug', '--', 'x']), 'debug');
});

void t.test('describeCauses walks the chain: codes, non-Error causes, loops', async (t) => {
  const io = Object.assign(new Error('EACCES: permission denied, open \'/x\''), { code: 'EACCES' });
  const inner = new AirutError('IMAGE_BUILD_FAILED', 'podman build failed', { cause: io });
  const outer = new AirutError('RUN_FAILED', 'the run failed', { cause: inner });
  t.equal(describeCauses(outer, 'normal'), '');
  t.equal(describeCauses(outer, 'verbose'), "Caused by: AirutError [IMAGE_BUILD_FAILED]: podman build failed\nCaused by: Error [EACCES]: EACCES: permission denied, open '/x'\n");
  t.match(describeCauses(outer, 'debug'), /Caused by: AirutError \[IMAGE_BUILD_FAILED\]: podman build failed\n {2}at /);
  t.equal(describeCauses(new Error('x', { cause: { status: 503 } }), 'verbose'), 'Caused by: {"status":503}\n');
  t.equal(describeCauses(new Error('no cause'), 'verbose'), '');
  const a = new Error('a');
  const b = new Error('b', { cause: a });
  a.cause = b;
  t.equal(describeCauses(a, 'verbose'), 'Caused by: Error: b\nCaused by: ... (the chain goes on or loops back)\n');
});
