import t from 'tap';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureCa } from '../../../src/sandbox/network/ca/index.js';
import { loadX509 } from '../../../src/sandbox/network/ca/x509.js';
import { objectIdentifier, readCaFields, time, tlv, unsignedInteger } from '../../../src/sandbox/proxy/der.js';
import { createLeafSigner } from '../../../src/sandbox/proxy/leaf-signer.js';

const x509 = await loadX509();

void t.test('DER building blocks', (t) => {
  t.equal(objectIdentifier('1.2.840.10045.4.3.2').toString('hex'), '06082a8648ce3d040302');
  t.equal(objectIdentifier('2.5.29.17').toString('hex'), '0603551d11');
  t.equal(tlv(0x04, Buffer.alloc(200)).subarray(0, 3).toString('hex'), '0481c8', 'long form length');
  t.equal(tlv(0x04, Buffer.alloc(300)).subarray(0, 4).toString('hex'), '0482012c');
  t.equal(unsignedInteger(Buffer.from([0x80, 1])).toString('hex'), '0203008001', 'a set top bit gets a leading zero');
  t.equal(unsignedInteger(Buffer.from([0, 0, 5])).toString('hex'), '020105', 'leading zeros dropped');
  t.equal(time(new Date('2049-12-31T23:59:59.900Z')).toString('latin1'), '\x17\x0d491231235959Z', 'UTCTime until 2049');
  t.equal(time(new Date('2050-01-01T00:00:00Z')).toString('latin1'), '\x18\x0f20500101000000Z', 'GeneralizedTime from 2050');
  t.throws(() => readCaFields(Buffer.from([0x30, 0x05, 0x01])), /truncated/);
  t.end();
});

void t.test('a leaf names the CA as issuer byte for byte and carries its key identifier', async (t) => {
  const ca = await ensureCa(join(t.testdir(), 'ca'));
  const caCert = new x509.X509Certificate(ca.certPem);
  const fields = readCaFields(Buffer.from(caCert.rawData));
  const ski = caCert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
  t.equal(fields.keyIdentifier?.toString('hex'), ski, 'the CA\'s subject key identifier is read');

  const leafKeys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const sign = createLeafSigner(Buffer.from(caCert.rawData), createPrivateKey(readFileSync(ca.keyPath, 'utf8')), leafKeys.publicKey);
  const notBefore = new Date('2026-01-01T00:00:00Z');
  const notAfter = new Date('2055-01-01T00:00:00Z');
  const leaf = new x509.X509Certificate(await sign('host.example.test', notBefore, notAfter));
  t.equal(leaf.issuer, caCert.subject);
  t.equal(leaf.subject, 'CN=host.example.test');
  t.same([leaf.notBefore.toISOString(), leaf.notAfter.toISOString()], [notBefore.toISOString(), notAfter.toISOString()]);
  t.equal(leaf.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId, ski, 'authority key id = CA key id (OpenSSL builds the chain by it)');
  t.equal(leaf.getExtension(x509.KeyUsagesExtension)?.usages, x509.KeyUsageFlags.digitalSignature);
  t.equal(leaf.getExtension(x509.KeyUsagesExtension)?.critical, true);
  t.same(leaf.getExtension(x509.ExtendedKeyUsageExtension)?.usages, [x509.ExtendedKeyUsage.serverAuth]);
  t.equal(leaf.getExtension(x509.BasicConstraintsExtension)?.critical, true);
  t.ok(await leaf.verify({ publicKey: caCert.publicKey, signatureOnly: true }), 'signed by the CA');
  const other = new x509.X509Certificate(await sign('host.example.test', notBefore, notAfter));
  t.not(other.serialNumber, leaf.serialNumber, 'a fresh serial per certificate');
});
