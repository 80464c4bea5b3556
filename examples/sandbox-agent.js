// Runs Claude Code in Airut's sandbox from another program.
//
// Needs ANTHROPIC_API_KEY (passed into the container). CLAUDE_BINARY may name
// a claude executable to use instead of the cached download; BASE_IMAGE and
// SANDBOX_NETWORK as in sandbox-command.js.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sandbox } from 'airut/sandbox';

const baseImage = process.env.BASE_IMAGE ?? 'docker.io/library/debian:bookworm-slim';
const network = process.env.SANDBOX_NETWORK;

const sandbox = new Sandbox({ resourcePrefix: 'airut-example', buildNetwork: network, claudeBinaryPath: process.env.CLAUDE_BINARY });
await sandbox.startup();
const dir = await mkdtemp(join(tmpdir(), 'airut-example-'));
try {
  const imageTag = await sandbox.ensureImage(`FROM ${baseImage}\nWORKDIR /workspace\n`, {});
  const task = sandbox.createTask({
    executionContextDir: dir,
    imageTag,
    mounts: [{ hostPath: process.cwd(), containerPath: '/workspace' }],
    env: { ANTHROPIC_API_KEY: process.env.ANTHROPIC_API_KEY ?? '' },
    network,
    timeoutSeconds: 600,
  });
  const result = await task.execute('Fix the failing tests');
  if (result.outcome === 'success') {
    console.log(result.responseText);
  } else {
    console.error(`${result.outcome}: ${result.errorSummary}`);
    process.exitCode = 1;
  }
} finally {
  await sandbox.shutdown();
  await rm(dir, { recursive: true, force: true });
}
