import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import t, { type Test } from 'tap';
import { checkCgroups } from '../../../src/core/doctor/cgroup-check.js';

/** A fake cgroup filesystem: paths ending in / are directories, others files with the given text. */
function cgroupTree(t: Test, entries: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'airut-cgroup-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  for (const [path, text] of Object.entries(entries)) {
    if (path.endsWith('/')) {
      mkdirSync(join(root, path), { recursive: true });
    } else {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
  }
  return root;
}

void t.test('cgroup v2 as root with memory, cpu and pids passes', async (t) => {
  const root = cgroupTree(t, { 'cgroup.controllers': 'cpuset cpu io memory hugetlb pids rdma misc\n' });
  t.match(await checkCgroups({ root, uid: 0 }), { name: 'Resource limits', ok: true, severity: 'warning', detail: /^cgroup v2 with memory, cpu, pids/ });
});

void t.test('cgroup v2 rootless reads the user slice and names undelegated controllers', async (t) => {
  const root = cgroupTree(t, {
    'cgroup.controllers': 'cpuset cpu io memory pids\n',
    'user.slice/user-1000.slice/user@1000.service/cgroup.controllers': 'memory pids\n',
  });
  const result = await checkCgroups({ root, uid: 1000 });
  t.match(result, { ok: false, severity: 'warning', detail: 'cgroup v2 without cpu (have: memory pids): those limits would not apply', fix: /Delegate=/ });
});

void t.test('cgroup v2 rootless without a user slice warns', async (t) => {
  const root = cgroupTree(t, { 'cgroup.controllers': 'cpu memory pids\n' });
  t.match(await checkCgroups({ root, uid: 1000 }), { ok: false, severity: 'warning', detail: /unreadable \(ENOENT\)/ });
});

void t.test('hybrid cgroup v1 as root with the controllers mounted passes and says so', async (t) => {
  const root = cgroupTree(t, { 'memory/': '', 'cpu/': '', 'pids/': '', 'unified/': '' });
  t.match(await checkCgroups({ root, uid: 0 }), { ok: true, detail: /^cgroup v1 \(hybrid\) with memory, cpu, pids mounted/ });
});

void t.test('cgroup v1 rootless warns that limits are ignored', async (t) => {
  const root = cgroupTree(t, { 'memory/': '', 'cpu/': '', 'pids/': '' });
  t.match(await checkCgroups({ root, uid: 1000 }), { ok: false, severity: 'warning', detail: 'cgroup v1: rootless podman ignores memory, cpus and pids limits' });
});

void t.test('cgroup v1 without the pids controller names it', async (t) => {
  const root = cgroupTree(t, { 'memory/': '', 'cpu/': '' });
  t.match(await checkCgroups({ root, uid: 0 }), { ok: false, detail: /cgroup v1 without pids/ });
});

void t.test('no cgroup filesystem at all warns', async (t) => {
  const root = cgroupTree(t, {});
  t.match(await checkCgroups({ root, uid: 0 }), { ok: false, severity: 'warning', detail: /no cgroup controllers found/ });
});
