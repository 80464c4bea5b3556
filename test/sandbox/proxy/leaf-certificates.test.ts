import t from 'tap';
import { once } from 'node:events';
import { connect } from 'node:tls';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { ensureCa } from '../../../src/sandbox/network/ca/index.js';
import { loadX509 } from '../../../src/sandbox/network/ca/x509.js';
import { LeafCertificates } from '../../../src/sandbox/proxy/leaf-certificates.js';
import { startTestProxy } from './proxy-harness.js';

const x509 = await loadX509();

void t.test('a leaf is minted once per name, for exactly that name, signed by the CA', async (t) => {
  const ca = await ensureCa(join(t.testdir(), 'ca'));
  const leaves = await LeafCertificates.create(ca.certPem, readFileSync(ca.keyPath, 'utf8'));
  const [a, b] = await Promise.all([leaves.contextFor('api.example.test'), leaves.contextFor('api.example.test')]);
  t.equal(a, b, 'concurrent handshakes share one mint');
  t.equal(await leaves.contextFor('api.example.test'), a, 'and later ones reuse it');
  t.not(await leaves.contextFor('other.test'), a);
  t.ok(LeafCertificates.isValidName('a-b_c.example.test'));
  for (const bad of ['', 'UPPER.test', 'a..b', 'a b', 'a/b', '1.2.3.4:443', 'x'.repeat(64), `${'a.'.repeat(127)}a`]) {
    t.notOk(LeafCertificates.isValidName(bad), JSON.stringify(bad));
  }
});

void t.test('the certificate a client sees: SAN = SNI, ECDSA P-256, chained to the Airut CA', async (t) => {
  const tp = await startTestProxy(t, { allowlist: { domains: [], url_prefixes: [] }, httpsPort: 1 });
  const socket = connect({ host: '127.0.0.1', port: tp.proxy.ports.https, servername: 'Mixed.Case.test', ca: tp.caPem, checkServerIdentity: () => undefined });
  t.teardown(() => socket.destroy());
  await once(socket, 'secureConnect');
  t.equal(socket.authorized, true, 'trusted through the Airut CA alone');
  t.equal(socket.alpnProtocol, false, 'no ALPN offered by this client');
  const cert = new x509.X509Certificate(socket.getPeerCertificate().raw);
  t.same(cert.getExtension(x509.SubjectAlternativeNameExtension)?.names.toJSON(), [{ type: 'dns', value: 'mixed.case.test' }]);
  t.same(cert.publicKey.algorithm, { name: 'ECDSA', namedCurve: 'P-256' });
  t.equal(cert.issuer, 'CN=Airut Sandbox CA, O=Airut');
  t.ok(await cert.verify({ publicKey: new x509.X509Certificate(tp.caPem).publicKey, signatureOnly: true }));
  t.equal(cert.getExtension(x509.BasicConstraintsExtension)?.ca, false);
});

void t.test('a server name that is not a DNS host name is refused at the handshake', async (t) => {
  const tp = await startTestProxy(t, { allowlist: { domains: [], url_prefixes: [] }, httpsPort: 1 });
  const socket = connect({ host: '127.0.0.1', port: tp.proxy.ports.https, servername: 'evil\u0001name', ca: tp.caPem });
  t.teardown(() => socket.destroy());
  const [error] = (await once(socket, 'error')) as [Error];
  t.match(error.message, /alert|handshake|disconnected before secure TLS connection/i);
  t.equal(socket.authorized, false);
  await new Promise<void>((resolve) => {
    const check = (): void => (tp.events.some((e) => e.kind === 'ERROR') ? resolve() : void setImmediate(check));
    check();
  });
  t.equal(tp.events.find((e) => e.kind === 'ERROR')?.line, 'ERROR TLS https://evil%01name -> handshake failed: refusing TLS for the server name "evil\\u0001name": not a DNS host name');
});
