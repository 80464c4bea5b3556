import t from 'tap';
import { buildNotImplemented, parseDnsQuery, presentName, typeName } from '../../../src/sandbox/proxy/dns-packet.js';

function header(flags: number, qd = 1): Buffer {
  return Buffer.from([0xab, 0xcd, flags >> 8, flags & 0xff, 0, qd, 0, 0, 0, 0, 0, 0]);
}
function name(...labels: Buffer[]): Buffer {
  return Buffer.concat([...labels.flatMap((l) => [Buffer.from([l.length]), l]), Buffer.from([0])]);
}
const tail = Buffer.from([0, 1, 0, 1]);

void t.test('a well-formed query is read; labels keep their bytes', (t) => {
  const q = parseDnsQuery(Buffer.concat([header(0x0100), name(Buffer.from('Www'), Buffer.from('x')), tail]));
  t.match(q, { id: 0xabcd, recursionDesired: true, type: 1, class: 1 });
  t.equal(presentName(q?.labels ?? []), 'Www.x');
  t.equal(parseDnsQuery(Buffer.concat([header(0), name(), tail]))?.labels.length, 0, 'the root name');
  t.equal(presentName([]), '.');
  t.end();
});

void t.test('the longest legal name (255 octets on the wire) is read, one octet more is dropped', (t) => {
  const label63 = Buffer.alloc(63, 0x61);
  const label61 = Buffer.alloc(61, 0x62);
  const legal = name(label63, label63, label63, label61); // 64*3 + 62 + 1 = 255
  t.ok(parseDnsQuery(Buffer.concat([header(0), legal, tail])));
  const tooLong = name(label63, label63, label63, Buffer.alloc(62, 0x62));
  t.equal(parseDnsQuery(Buffer.concat([header(0), tooLong, tail])), undefined);
  t.end();
});

void t.test('dropped: responses, other opcodes, question counts, pointers, truncation', (t) => {
  const q = Buffer.concat([name(Buffer.from('a')), tail]);
  const cases: [string, Buffer][] = [
    ['empty', Buffer.alloc(0)],
    ['header only', header(0)],
    ['QR set', Buffer.concat([header(0x8000), q])],
    ['opcode STATUS', Buffer.concat([header(0x1000), q])],
    ['no question', Buffer.concat([header(0, 0), q])],
    ['two questions', Buffer.concat([header(0, 2), q, q])],
    ['compression pointer', Buffer.concat([header(0), Buffer.from([0xc0, 0x0c]), tail])],
    ['extended label type', Buffer.concat([header(0), Buffer.from([0x41]), Buffer.alloc(1)])],
    ['label past the end', Buffer.concat([header(0), Buffer.from([5, 0x61])])],
    ['no terminator', Buffer.concat([header(0), Buffer.from([1, 0x61])])],
    ['type and class cut', Buffer.concat([header(0), name(Buffer.from('a')), Buffer.from([0, 1, 0])])],
  ];
  for (const [label, packet] of cases) t.equal(parseDnsQuery(packet), undefined, label);
  t.end();
});

void t.test('NOTIMP echoes id, RD and the question', (t) => {
  const packet = Buffer.concat([header(0x0000), name(Buffer.from('x')), Buffer.from([0, 28, 0, 1])]);
  const q = parseDnsQuery(packet);
  t.ok(q);
  if (q !== undefined) t.same([...buildNotImplemented(q)], [0xab, 0xcd, 0x80, 0x84, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0x78, 0, 0, 28, 0, 1]);
  t.end();
});

void t.test('names are presented safely for the log', (t) => {
  t.equal(presentName([Buffer.from('a.b'), Buffer.from([0x0a, 0x20, 0xff]), Buffer.from('_srv-1*')]), 'a\\.b.\\010\\032\\255._srv-1*');
  t.equal(typeName(28), 'AAAA');
  t.equal(typeName(65), 'HTTPS');
  t.equal(typeName(99), 'TYPE99');
  t.end();
});
