// Runs a command in Airut's sandbox from another program.
//
//   npm install airut          (then: node sandbox-command.js)
//
// BASE_IMAGE picks the image to start FROM; SANDBOX_NETWORK names the network
// (`none` for no network at all; default: podman's default network).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sandbox } from 'airut/sandbox';

const baseImage = process.env.BASE_IMAGE ?? 'docker.io/library/debian:bookworm-slim';
const network = process.env.SANDBOX_NETWORK;

const sandbox = new Sandbox({ resourcePrefix: 'airut-example', buildNetwork: network });
await sandbox.startup();
const workspace = await mkdtemp(join(tmpdir(), 'airut-example-'));
try {
  const imageTag = await sandbox.ensureImage(`FROM ${baseImage}\nWORKDIR /workspace\n`, {}, { passthrough: true });
  const task = sandbox.createCommandTask({
    executionContextDir: workspace,
    imageTag,
    mounts: [{ hostPath: workspace, containerPath: '/workspace' }],
    network,
    timeoutSeconds: 60,
  });
  const result = await task.execute(['sh', '-c', 'echo "hello from $(uname -s)" > greeting.txt; echo done']);
  console.log(`exit ${result.exitCode}, stdout: ${result.stdout.trim()}`);
  console.log(`the container wrote: ${(await readFile(join(workspace, 'greeting.txt'), 'utf8')).trim()}`);
  process.exitCode = result.exitCode ?? 1;
} finally {
  await sandbox.shutdown();
  await rm(workspace, { recursive: true, force: true });
}
