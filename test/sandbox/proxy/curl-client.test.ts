import t from 'tap';
import { execa } from 'execa';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { START, startTestProxy, startUpstream } from './proxy-harness.js';

/**
 * curl as the sandbox runs it: no proxy variables, the name resolved to the
 * proxy, and Airut's CA as the trust store (CURL_CA_BUNDLE in task containers).
 */
void t.test('curl reaches an allowed host through the proxy and gets the 403 body for a blocked one', async (t) => {
  const found = await execa('curl', ['--version'], { reject: false });
  t.equal(found.exitCode, 0, 'curl must be installed: apt-get install -y curl');
  const upstream = await startUpstream(t);
  const tp = await startTestProxy(t, { allowlist: { domains: ['allowed.test'], url_prefixes: [] }, httpsPort: upstream.port });
  const caFile = join(t.testdir(), 'airut-ca.crt');
  await writeFile(caFile, tp.caPem);
  const port = tp.proxy.ports.https;
  const curl = (host: string, path: string): Promise<{ stdout: string; exitCode?: number }> => execa('curl', [
    '--silent', '--show-error', '--noproxy', '*', '--cacert', caFile,
    '--resolve', `${host}:${port}:127.0.0.1`, '--write-out', '\n%{http_code}', `https://${host}:${port}${path}`,
  ], { env: { CURL_HOME: '/nonexistent' }, extendEnv: false });

  const ok = await curl('allowed.test', '/hello');
  t.equal(ok.stdout, '{"method":"GET","url":"/hello","bytes":0}\n200');
  const blocked = await curl('blocked.test', '/');
  t.match(blocked.stdout, /^\{"error":"blocked_by_network_allowlist","host":"blocked\.test","path":"\/","method":"GET",/);
  t.match(blocked.stdout, /\n403$/);
  t.equal(tp.logText(), `${START}ALLOWED GET https://allowed.test/hello -> 200 [down: 41]\nBLOCKED GET https://blocked.test/ -> 403\n`);
});
