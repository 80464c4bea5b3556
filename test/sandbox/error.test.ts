import t from 'tap';
import { AirutError, isAirutError } from '../../src/sandbox/error.js';

t.test('AirutError carries code, exit code and hint', async (t) => {
  const cause = new Error('root');
  const err = new AirutError('EXAMPLE_CODE', 'something broke', { hint: 'do this', exitCode: 3, cause });
  t.equal(err.code, 'EXAMPLE_CODE');
  t.equal(err.exitCode, 3);
  t.equal(err.hint, 'do this');
  t.equal(err.cause, cause);
  t.equal(err.name, 'AirutError');
  t.ok(isAirutError(err));
  t.notOk(isAirutError(new Error('plain')));
});
