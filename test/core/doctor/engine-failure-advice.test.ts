import t from 'tap';
import { engineFailureAdvice } from '../../../src/core/doctor/index.js';
import { NetworkSandboxError } from '../../../src/sandbox/network/index.js';
import { ContainerRuntimeError, diagnoseEngineFailure } from '../../../src/sandbox/runtime/index.js';

const RLIMIT = 'Error: runc: runc create failed: unable to start container process: error during container init: error setting rlimits for ready process: error setting rlimit type 7: operation not permitted: OCI permission denied';
const CONTEXT = { uid: 0, configDir: '/home/u/.config/airut' };

void t.test('the engine failures check knows are recognised wherever they come from', (t) => {
  t.same(diagnoseEngineFailure(RLIMIT), ['ulimits']);
  t.same(diagnoseEngineFailure('Error: crun: cgroups in hybrid mode not supported, drop all controllers from cgroupv2'), ['crun-cgroups']);
  t.same(diagnoseEngineFailure('Error: default OCI runtime "crun" not found: invalid argument'), ['runtime-missing']);
  t.same(diagnoseEngineFailure('Error: OCI runtime attempted to invoke a command that was not found'), ['runtime-missing']);
  t.same(diagnoseEngineFailure('Error: short-name "x" did not resolve to an alias'), [], 'other failures are not guessed at');
  t.end();
});

void t.test('a proxy that exited with the engine\'s rlimit error gets check\'s diagnosis and fix', (t) => {
  const error = new NetworkSandboxError('NETWORK_PROXY_NOT_READY', `proxy container airut-cli-proxy-1 exited with code 126: ${RLIMIT}`, { hint: 'Check that main.js exists' });
  const advice = engineFailureAdvice(error, CONTEXT);
  t.match(advice?.diagnosis, /cannot start containers on this host: the default ulimits cannot be set/);
  t.match(advice?.fix, /^Save this as \/home\/u\/\.config\/airut\/containers\.conf and set CONTAINERS_CONF/);
  t.match(advice?.fix, /default_ulimits = \[ "nofile=1024:1024", "nproc=1024:1024" \]/);
  t.end();
});

void t.test('the engine output is found in a runtime error\'s stderr and in causes', (t) => {
  const runtimeError = new ContainerRuntimeError('RUNTIME_CALL_FAILED', 'podman run exited with 126', ['podman', 'run'], RLIMIT);
  t.ok(engineFailureAdvice(runtimeError, CONTEXT), 'stderr of the call');
  const wrapped = new NetworkSandboxError('NETWORK_CREATE_FAILED', 'the network sandbox could not start', { hint: 'x', cause: runtimeError });
  t.ok(engineFailureAdvice(wrapped, CONTEXT), 'through the cause');
  t.match(engineFailureAdvice(wrapped, { ...CONTEXT, uid: 1000 })?.fix, /~\/\.config\/containers\/containers\.conf/, 'rootless users get their own place');
  t.equal(engineFailureAdvice(new Error('Dockerfile not found'), CONTEXT), undefined);
  t.end();
});
