// Run by orphans.test.ts as a separate process: attaches a task to a network
// sandbox, says so on stdout, then waits to be killed with SIGKILL.
import { Allowlist } from '../../../src/sandbox/network/allowlist/index.js';
import { NetworkSandbox } from '../../../src/sandbox/network/index.js';
import { testRuntime } from '../../harness/podman.js';

const [prefix, caDir, egressNetwork, packageRoot, tmpDir, contextDir] = process.argv.slice(2) as [string, string, string, string, string, string];
const sandbox = new NetworkSandbox({
  runtime: testRuntime(),
  resourcePrefix: prefix,
  caDir,
  allowlist: new Allowlist('test', { domains: [], url_prefixes: [] }),
  maskedSecrets: [{ name: 'TOKEN', value: 'sk-real-value-1234567890', scopes: ['allowed.test'], headers: ['Authorization'] }],
  egressNetwork,
  packageRoot,
  tmpDir,
});
await sandbox.attach('killed', contextDir);
process.stdout.write('attached\n');
setInterval(() => undefined, 60_000);
