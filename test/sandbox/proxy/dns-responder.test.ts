import t from 'tap';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { START, startTestProxy } from './proxy-harness.js';

/** A standard query for `name` (RD set), built independently of the code under test. */
function query(id: number, name: string, type: number, klass = 1, extra: Buffer = Buffer.alloc(0)): Buffer {
  const labels = name.split('.').flatMap((label) => [Buffer.from([label.length]), Buffer.from(label, 'ascii')]);
  const header = Buffer.from([id >> 8, id & 0xff, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, extra.length > 0 ? 1 : 0]);
  return Buffer.concat([header, ...labels, Buffer.from([0, type >> 8, type & 0xff, klass >> 8, klass & 0xff]), extra]);
}

void t.test('A queries get the proxy address, other types NOTIMP, garbage no reply', async (t) => {
  const tp = await startTestProxy(t, { allowlist: { domains: [], url_prefixes: [] }, httpsPort: 1 });
  const client = createSocket('udp4');
  t.teardown(() => client.close());
  client.bind(0, '127.0.0.1');
  await once(client, 'listening');
  const replies: Buffer[] = [];
  const waiters: ((b: Buffer) => void)[] = [];
  client.on('message', (msg: Buffer) => {
    const waiter = waiters.shift();
    if (waiter) waiter(msg);
    else replies.push(msg);
  });
  const ask = (packet: Buffer): Promise<Buffer> => {
    const reply = new Promise<Buffer>((resolve) => waiters.push(resolve));
    client.send(packet, tp.proxy.ports.dns, '127.0.0.1');
    return reply;
  };

  // EDNS OPT record in the additional section, as dig sends it.
  const opt = Buffer.from([0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0]);
  const a = await ask(query(0x1234, 'Api.GitHub.com', 1, 1, opt));
  t.same([...a.subarray(0, 12)], [0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0], 'NOERROR, RD+RA, one question, one answer');
  const question = query(0x1234, 'Api.GitHub.com', 1).subarray(12);
  t.same(a.subarray(12, 12 + question.length), question, 'the question is echoed verbatim (case kept)');
  t.same([...a.subarray(12 + question.length)], [0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 199, 7, 100], 'A 10.199.7.100, TTL 60');

  for (const [type, name] of [[28, 'AAAA'], [16, 'TXT'], [15, 'MX'], [255, 'ANY']] as const) {
    const reply = await ask(query(7, 'evil.test', type));
    t.equal(reply.readUInt16BE(2), 0x8184, `${name}: NOTIMP`);
    t.equal(reply.readUInt16BE(6), 0, `${name}: no answers`);
  }
  const chaos = await ask(query(8, 'version.bind', 16, 3));
  t.equal(chaos.readUInt16BE(2) & 0x0f, 4, 'class CH is NOTIMP too');

  // Each of these is dropped silently; the valid query after them is answered, and its reply is the first to arrive.
  const garbage = [
    Buffer.from([1, 2, 3]),
    query(9, 'short.test', 1).subarray(0, 20),
    Buffer.concat([query(10, 'x', 1).subarray(0, 12), Buffer.from([0xc0, 0x0c, 0, 1, 0, 1])]),
    (() => { const q = query(11, 'resp.test', 1); q[2] = 0x81; return q; })(),
    (() => { const q = query(12, 'two.test', 1); q[5] = 2; return q; })(),
    Buffer.concat([query(13, 'x', 1).subarray(0, 12), Buffer.from([64]), Buffer.alloc(64, 0x61), Buffer.from([0, 0, 1, 0, 1])]),
  ];
  for (const packet of garbage) client.send(packet, tp.proxy.ports.dns, '127.0.0.1');
  const after = await ask(query(0x4242, 'after.test', 1));
  t.equal(after.readUInt16BE(0), 0x4242, 'no reply to garbage came first');
  t.same(replies, [], 'no stray replies');

  const weird = await ask(query(14, 'a\nBLOCKED.test', 1));
  t.equal(weird.readUInt16BE(6), 1, 'odd bytes in a label still get an answer');

  t.equal(tp.logText(), START
    + 'DNS A Api.GitHub.com -> 10.199.7.100\n'
    + 'DNS AAAA evil.test -> NOTIMP\n'
    + 'DNS TXT evil.test -> NOTIMP\n'
    + 'DNS MX evil.test -> NOTIMP\n'
    + 'DNS ANY evil.test -> NOTIMP\n'
    + 'DNS TXT/CLASS3 version.bind -> NOTIMP\n'
    + 'DNS A after.test -> 10.199.7.100\n'
    + 'DNS A a\\010BLOCKED.test -> 10.199.7.100\n');
});
