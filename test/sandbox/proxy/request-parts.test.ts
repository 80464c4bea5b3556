import t from 'tap';
import { withoutHopByHop } from '../../../src/sandbox/proxy/hop-by-hop.js';
import { printable } from '../../../src/sandbox/proxy/network-log.js';
import { splitRequestTarget } from '../../../src/sandbox/proxy/split-request-target.js';

void t.test('request targets', (t) => {
  t.same(splitRequestTarget('/a?b'), { path: '/a?b' });
  t.same(splitRequestTarget('https://Host.test:443/p?q'), { authority: 'Host.test:443', path: '/p?q' });
  t.same(splitRequestTarget('http://h.test'), { authority: 'h.test', path: '/' });
  t.same(splitRequestTarget('http://h.test?x'), { authority: 'h.test', path: '/?x' });
  for (const bad of ['*', 'h.test:443', 'ftp://h.test/', 'http://user@h.test/', 'http:///p', '/a#frag', '']) {
    t.equal(splitRequestTarget(bad), undefined, bad);
  }
  t.end();
});

void t.test('hop-by-hop headers and the ones Connection names are removed; Host never is', (t) => {
  t.same(withoutHopByHop([
    'Host', 'h.test', 'Connection', 'close, X-Secret-Hop, host', 'X-Secret-Hop', '1', 'Keep-Alive', 'timeout=5',
    'Transfer-Encoding', 'chunked', 'TE', 'trailers', 'Upgrade', 'h2c', 'Proxy-Authorization', 'x', 'Expect', '100-continue', 'X-A', '1', 'x-a', '2',
  ], new Set(['expect'])), ['Host', 'h.test', 'X-A', '1', 'x-a', '2']);
  t.end();
});

void t.test('log text cannot break lines', (t) => {
  t.equal(printable('https://h.test/a%20b?c=d'), 'https://h.test/a%20b?c=d');
  t.equal(printable('x\r\nALLOWED GET y'), 'x%0D%0AALLOWED GET y');
  t.equal(printable('é'), '%C3%A9');
  t.end();
});
