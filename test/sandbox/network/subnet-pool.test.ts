import t from 'tap';
import { DEFAULT_SUBNET_POOL, formatSubnet, freeSubnets, hostAddress, parseSubnet, subnetsOverlap } from '../../../src/sandbox/network/subnet-pool.js';

void t.test('parses and formats IPv4 subnets', (t) => {
  const pool = parseSubnet(DEFAULT_SUBNET_POOL, 'default');
  t.same(pool, { base: (10 * 256 + 199) * 65536, prefix: 16 });
  t.equal(formatSubnet(pool), '10.199.0.0/16');
  t.equal(hostAddress(parseSubnet('10.199.7.0/24', 'x'), 2), '10.199.7.2');
  t.equal(formatSubnet(parseSubnet(' 192.168.0.0/24 ', 'x')), '192.168.0.0/24');
  t.end();
});

void t.test('invalid pools name the value and where it came from', (t) => {
  for (const bad of ['10.199.0.0', '10.199.0.0/33', '300.1.1.1/8', 'fd00::/64', '10.199.3.0/16', '']) {
    t.throws(() => parseSubnet(bad, 'network.subnet_pool'), { code: 'NETWORK_SUBNET_POOL_INVALID', message: /network\.subnet_pool/ }, bad);
  }
  t.throws(() => parseSubnet('10.199.3.0/16', 'network.subnet_pool'), { code: 'NETWORK_SUBNET_POOL_INVALID', hint: /10\.199\.0\.0\/16/ });
  t.throws(() => freeSubnets(parseSubnet('10.199.0.0/25', 'x'), []), { code: 'NETWORK_SUBNET_POOL_INVALID' });
  t.end();
});

void t.test('overlap covers containment both ways and adjacency', (t) => {
  const s = (text: string) => parseSubnet(text, 'test');
  t.ok(subnetsOverlap(s('10.199.0.0/16'), s('10.199.5.0/24')));
  t.ok(subnetsOverlap(s('10.199.5.0/24'), s('10.0.0.0/8')));
  t.ok(subnetsOverlap(s('10.199.5.128/25'), s('10.199.5.0/24')));
  t.notOk(subnetsOverlap(s('10.199.5.0/24'), s('10.199.6.0/24')));
  t.notOk(subnetsOverlap(s('10.88.0.0/16'), s('10.199.0.0/16')));
  t.end();
});

void t.test('free /24s skip anything used, start where asked and wrap around', (t) => {
  const pool = parseSubnet('10.199.0.0/22', 'test');
  const names = (list: ReturnType<typeof freeSubnets>) => list.map(formatSubnet);
  t.same(names(freeSubnets(pool, [])), ['10.199.0.0/24', '10.199.1.0/24', '10.199.2.0/24', '10.199.3.0/24']);
  t.same(names(freeSubnets(pool, [], 2)), ['10.199.2.0/24', '10.199.3.0/24', '10.199.0.0/24', '10.199.1.0/24']);
  t.same(names(freeSubnets(pool, [], 6)), ['10.199.2.0/24', '10.199.3.0/24', '10.199.0.0/24', '10.199.1.0/24']);
  const used = [parseSubnet('10.199.1.0/24', 'a'), parseSubnet('10.199.3.128/25', 'b'), parseSubnet('10.88.0.0/16', 'c')];
  t.same(names(freeSubnets(pool, used)), ['10.199.0.0/24', '10.199.2.0/24']);
  t.same(freeSubnets(pool, [parseSubnet('10.0.0.0/8', 'wide')]), []);
  t.end();
});
