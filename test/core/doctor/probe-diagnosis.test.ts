import t from 'tap';
import { diagnoseProbeFailure } from '../../../src/core/doctor/probe-diagnosis.js';

void t.test('recognises the container start failures of hybrid cgroup v1 hosts without CAP_SYS_RESOURCE', (t) => {
  t.same(diagnoseProbeFailure('Error: OCI runtime error: crun: cgroups in hybrid mode not supported, drop all controllers from cgroupv2'), ['crun-cgroups']);
  t.same(diagnoseProbeFailure('Error: creating cgroup directory `/sys/fs/cgroup/net_prio,net_cls/machine.slice/libpod-1.scope`: No such file or directory: OCI not found'), ['crun-cgroups']);
  t.same(diagnoseProbeFailure('Error: runc: runc create failed: unable to start container process: error during container init: error setting rlimits for ready process: error setting rlimit type 7: operation not permitted: OCI permission denied'), ['ulimits']);
  t.same(diagnoseProbeFailure('Error: OCI runtime error: crun: setrlimit `RLIMIT_NPROC`: Operation not permitted'), ['ulimits']);
  t.same(diagnoseProbeFailure('Error: crun: cgroups in hybrid mode not supported\nError: setrlimit `RLIMIT_NOFILE`: Operation not permitted'), ['crun-cgroups', 'ulimits']);
  t.same(diagnoseProbeFailure('Error: short-name resolution enforced but cannot prompt without a TTY'), []);
  t.end();
});
