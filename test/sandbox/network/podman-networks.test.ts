import t from 'tap';
import { createTaskNetwork, ensureEgressNetwork, listNetworks, removeNetwork } from '../../../src/sandbox/network/podman-networks.js';
import { formatSubnet, parseSubnet } from '../../../src/sandbox/network/subnet-pool.js';
import { testRuntime } from '../../harness/podman.js';
import { uniquePrefix } from './network-fixture.js';

const runtime = testRuntime();

// A /23 picked per run (inside 10.198.0.0/16, away from the default pool) so
// concurrent test runs rarely share it; its first /24 is taken by a network
// standing for "another process".
function testPool(): { pool: string; first: string; second: string } {
  const octet = 2 * (process.pid % 120) + 2;
  return { pool: `10.198.${octet}.0/23`, first: `10.198.${octet}.0/24`, second: `10.198.${octet + 1}.0/24` };
}

void t.test('a task network takes the next free /24 when another process holds the first', async (t) => {
  const prefix = uniquePrefix();
  const { pool, first, second } = testPool();
  const blocker = `${prefix}-blocker`;
  await runtime.run(['network', 'create', '--internal', '--disable-dns', '--subnet', first, blocker]);
  t.teardown(() => removeNetwork(runtime, blocker));

  const name = `${prefix}-net-a`;
  const network = await createTaskNetwork(runtime, {
    name, pool: parseSubnet(pool, 'test'), proxyHost: 2, labelArgs: ['--label', 'io.airut.test=1'], start: 0,
  });
  t.teardown(() => removeNetwork(runtime, name));
  t.equal(formatSubnet(network.subnet), second);
  t.equal(network.proxyIp, second.replace('0/24', '2'));
  const listed = (await listNetworks(runtime)).find((n) => n.name === name);
  t.same(listed?.labels, { 'io.airut.test': '1' });
  t.equal(listed?.internal, true);

  await t.rejects(createTaskNetwork(runtime, {
    name: `${prefix}-net-b`, pool: parseSubnet(pool, 'test'), proxyHost: 2, labelArgs: [], start: 0,
  }), { code: 'NETWORK_SUBNETS_EXHAUSTED', hint: /subnet_pool/ });

  await removeNetwork(runtime, name);
  await removeNetwork(runtime, name);
  t.equal((await runtime.call(['network', 'exists', name])).exitCode, 1, 'removed, and removing again is fine');
});

void t.test('a subnet the listing missed (taken by a racing process) is skipped on create', async (t) => {
  const prefix = uniquePrefix();
  const { pool, first, second } = testPool();
  // The racing process: podman refuses the first /24 although our pool
  // listing was taken before it existed. Simulated by a subnet outside what
  // listNetworks reports: the host's own routes are also "already used".
  const racer = `${prefix}-racer`;
  const name = `${prefix}-net-c`;
  t.teardown(() => removeNetwork(runtime, racer));
  t.teardown(() => removeNetwork(runtime, name));
  const [network] = await Promise.all([
    createTaskNetwork(runtime, { name, pool: parseSubnet(pool, 'test'), proxyHost: 2, labelArgs: [], start: 0 }),
    runtime.call(['network', 'create', '--internal', '--disable-dns', '--subnet', first, racer]),
  ]);
  const racerExists = (await runtime.call(['network', 'exists', racer])).exitCode === 0;
  t.equal(formatSubnet(network.subnet), racerExists ? second : first, 'no clash whoever won');
});

void t.test('egress: an operator network must exist, Airut\'s own is created once', async (t) => {
  const prefix = uniquePrefix();
  await t.rejects(ensureEgressNetwork(runtime, `${prefix}-missing`, false), { code: 'NETWORK_EGRESS_MISSING', message: new RegExp(`${prefix}-missing`) });
  const name = `${prefix}-egress`;
  t.teardown(() => removeNetwork(runtime, name));
  await Promise.all([ensureEgressNetwork(runtime, name, true), ensureEgressNetwork(runtime, name, true)]);
  const listed = (await listNetworks(runtime)).find((n) => n.name === name);
  t.equal(listed?.internal, false);
  t.same(listed?.labels, {}, 'unlabelled, so orphan cleanup never removes it');
});
