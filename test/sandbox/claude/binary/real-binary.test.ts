import t from 'tap';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { realClaudeBinary } from '../../../harness/claude-binary.js';

const run = promisify(execFile);

void t.test('the cached real Claude Code binary runs', async (t) => {
  const path = await realClaudeBinary();
  const { stdout } = await run(path, ['--version'], { env: { ...process.env, CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1' } });
  t.match(stdout, /^\d+\.\d+\.\d+ \(Claude Code\)\n$/);
});
