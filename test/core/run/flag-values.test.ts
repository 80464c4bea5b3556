import t from 'tap';
import { parseMount, parseUpstreamHosts } from '../../../src/core/run/index.js';

void t.test('--mount SRC:DST[:ro]', (t) => {
  t.same(parseMount('data:/data', '/home/u/repo'), { hostPath: '/home/u/repo/data', containerPath: '/data' });
  t.same(parseMount('/abs/x:/x:ro', '/cwd'), { hostPath: '/abs/x', containerPath: '/x', readOnly: true });
  for (const bad of ['nocolon', 'a:relative', 'a:/b:rw', 'a:/b:ro:extra', ':/b', 'a:']) {
    t.throws(() => parseMount(bad, '/cwd'), { code: 'RUN_FLAG_INVALID', exitCode: 125, message: `Invalid mount format: '${bad}' (expected SRC:DST or SRC:DST:ro)` }, bad);
  }
  t.end();
});

void t.test('--upstream-host HOST=IP', (t) => {
  t.same(parseUpstreamHosts(['API.Anthropic.com=10.89.0.5', 'a.test=192.168.1.2']), { 'api.anthropic.com': '10.89.0.5', 'a.test': '192.168.1.2' });
  for (const bad of ['host', '=1.2.3.4', 'h=999.1.1.1', 'h=::1', 'bad host=1.2.3.4']) {
    t.throws(() => parseUpstreamHosts([bad]), { code: 'RUN_FLAG_INVALID', message: /expected HOST=IPV4/ }, bad);
  }
  t.end();
});
