import { createServer } from 'node:http';
import t, { type Test } from 'tap';
import { checkRunningVersion } from '../../../src/core/doctor/service-section.js';

/** A local dashboard whose /api/version answers `body` with `status`. */
async function service(t: Test, status: number, body: string): Promise<string> {
  const server = createServer((request, response) => {
    response.writeHead(request.url === '/api/version' ? status : 404, { 'content-type': 'application/json' });
    response.end(request.url === '/api/version' ? body : '{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

t.test('the running version against the installed one; no answer, no line', async (t) => {
  t.match(await checkRunningVersion(await service(t, 200, '{"version":"1.4.0"}'), '1.4.0', fetch), { name: 'running version', ok: true, severity: 'info', detail: '1.4.0, the installed one' });
  t.match(await checkRunningVersion(await service(t, 200, '{"version":"1.3.9"}'), '1.4.0', fetch), {
    ok: false, severity: 'info', detail: 'version mismatch: running 1.3.9, installed 1.4.0', fix: /systemctl --user restart airut/,
  });
  t.equal(await checkRunningVersion(await service(t, 404, '{"error":"not_found"}'), '1.4.0', fetch), undefined, 'an older service without /api/version');
  t.equal(await checkRunningVersion(await service(t, 200, 'not json'), '1.4.0', fetch), undefined);
  t.equal(await checkRunningVersion(await service(t, 200, '{"version":""}'), '1.4.0', fetch), undefined);
  t.equal(await checkRunningVersion('http://127.0.0.1:1', '1.4.0', fetch), undefined, 'nothing listening');
});
