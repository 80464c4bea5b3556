import t from 'tap';
import { formatSseComment, formatSseMessage } from '../../../src/core/dashboard/sse.js';

t.test('a message has id, event and data fields and ends with a blank line', async (t) => {
  t.equal(formatSseMessage({ id: '7', event: 'task', data: '{"a":1}' }), 'id: 7\nevent: task\ndata: {"a":1}\n\n');
});

t.test('data without id or event is just data', async (t) => {
  t.equal(formatSseMessage({ data: 'x' }), 'data: x\n\n');
});

t.test('every line of multi-line data gets its own data field, whatever the line end', async (t) => {
  t.equal(formatSseMessage({ data: 'one\ntwo\r\nthree\rfour' }), 'data: one\ndata: two\ndata: three\ndata: four\n\n');
});

t.test('a newline in id or event cannot start a new field', async (t) => {
  t.equal(formatSseMessage({ id: '1\ndata: evil', event: 'a\r\nb', data: '' }), 'id: 1 data: evil\nevent: a  b\ndata: \n\n');
});

t.test('comments are single lines starting with a colon', async (t) => {
  t.equal(formatSseComment('heartbeat'), ': heartbeat\n\n');
  t.equal(formatSseComment('a\nb'), ': a b\n\n');
});
