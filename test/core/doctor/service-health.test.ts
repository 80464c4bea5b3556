import { createServer } from 'node:http';
import t, { type Test } from 'tap';
import { checkServiceHealth, dashboardUrlOf } from '../../../src/core/doctor/service-health.js';

/** A local /api/health answering `body` with `status`. */
async function service(t: Test, status: number, body: string): Promise<string> {
  const server = createServer((_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

t.test('reads the verdict and names each problem; a silent address is no service', async (t) => {
  const ok = await checkServiceHealth(await service(t, 200, '{"status":"ok","problems":[]}'), fetch);
  t.match(ok, { ok: true, severity: 'info', detail: /^ok at http/ });
  const degraded = await checkServiceHealth(await service(t, 200, '{"status":"degraded","problems":[{"repo":"web","kind":"channel_down","reason":"email backoff: AUTHENTICATIONFAILED"}]}'), fetch);
  t.match(degraded, { ok: false, severity: 'info', detail: /^degraded at .*: web: email backoff: AUTHENTICATIONFAILED$/, fix: /journalctl/ });
  const error = await checkServiceHealth(await service(t, 503, '{"status":"error","problems":[{"kind":"config_invalid","reason":"bad key"}]}'), fetch);
  t.match(error, { ok: false, detail: /^error at .*: bad key$/ });
  const other = await checkServiceHealth(await service(t, 200, '{"hello":1}'), fetch);
  t.match(other, { ok: false, detail: /not Airut's health/ });
  const silent = await checkServiceHealth('http://127.0.0.1:1', fetch);
  t.match(silent, { ok: true, detail: 'no service answers at http://127.0.0.1:1' });
});

t.test('the dashboard URL of a config: defaults, wildcard hosts on loopback, disabled', async (t) => {
  t.equal(dashboardUrlOf({}), 'http://127.0.0.1:5200');
  t.equal(dashboardUrlOf({ host: '0.0.0.0', port: 5300 }), 'http://127.0.0.1:5300');
  t.equal(dashboardUrlOf({ host: '::' }), 'http://[::1]:5200');
  t.equal(dashboardUrlOf({ host: '192.0.2.7', port: 80 }), 'http://192.0.2.7:80');
  t.equal(dashboardUrlOf({ enabled: false }), undefined);
});
