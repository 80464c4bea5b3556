import t from 'tap';
import { MAX_JSON_DEPTH, parseStrictJson } from '../../../src/sandbox/proxy/strict-json.js';
import { isMessagesPath } from '../../../src/sandbox/proxy/tool-domain-filter.js';

const parse = (text: string | Buffer): unknown => parseStrictJson(typeof text === 'string' ? Buffer.from(text) : text);

void t.test('valid JSON parses, including strings that look like keys and escaped quotes', (t) => {
  const accepted = [
    '{"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]}',
    '{"s":"\\"a\\":1,\\"a\\":2","t":"x\\\\","a":"\\\\\\""}',
    '[{"k":1},{"k":1}]',
    '{"a" : 1 , "b"\n:\t2}',
    '"just a string"',
    `${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}`,
    '{"emoji":"\\ud83d\\ude00 ✓","lone":"\\udc00"}',
  ];
  for (const text of accepted) t.doesNotThrow(() => parse(text), text.slice(0, 60));
  t.same(parse('{"s":"\\"a\\":1"}'), { s: '"a":1' });
  t.end();
});

void t.test('duplicate keys, however spelled, deep nesting and bad UTF-8 are refused', (t) => {
  const refused: [string | Buffer, RegExp][] = [
    ['{"a":1,"a":2}', /"a" appears twice/],
    ['{"x":{"tools":[],"tools":[1]}}', /"tools" appears twice/],
    ['[{"k":1,"k":1}]', /"k" appears twice/],
    ['{"tools":[],"\\u0074ools":[]}', /"tools" appears twice/],
    ['{"a\\/b":1,"a/b":2}', /appears twice/],
    ['{"s":"x\\\\","s":1}', /"s" appears twice/],
    [`${'['.repeat(MAX_JSON_DEPTH + 1)}${']'.repeat(MAX_JSON_DEPTH + 1)}`, /nested deeper/],
    [Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), /not valid UTF-8/],
  ];
  for (const [text, message] of refused) t.throws(() => parse(text), { name: 'StrictJsonError', message }, String(text).slice(0, 60));
  t.throws(() => parse('{"a":'), SyntaxError);
  t.end();
});

void t.test('the Messages path gate', (t) => {
  for (const path of ['/v1/messages', '/v1/messages?beta=true', '/v1/messages/batches', '/V1/MESSAGES', '/v1/messages;x', '/v1/messages.json', '/v1/messages#f']) {
    t.ok(isMessagesPath(path), path);
  }
  for (const path of ['/v1/messages_legacy', '/v1/messagesx', '/v1/message', '/v2/messages', '//v1/messages', '/v1/models']) {
    t.notOk(isMessagesPath(path), path);
  }
  t.end();
});
