import t from 'tap';
import { chmod, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createPrivateKey } from 'node:crypto';
import { ensureCa } from '../../../../src/sandbox/network/ca/index.js';
import { loadX509 } from '../../../../src/sandbox/network/ca/x509.js';

const x509 = await loadX509();

void t.test('generates an ECDSA P-256 CA once and reuses it', async (t) => {
  const dir = join(t.testdir(), 'airut', 'ca');
  const first = await ensureCa(dir);
  t.equal(first.certPath, join(dir, 'current', 'ca-cert.pem'));
  t.equal(first.keyPath, join(dir, 'current', 'ca-key.pem'));
  t.equal((await stat(first.keyPath)).mode & 0o777, 0o600);
  t.equal((await stat(first.certPath)).mode & 0o777, 0o644);

  const cert = new x509.X509Certificate(first.certPem);
  t.equal(cert.subject, 'CN=Airut Sandbox CA, O=Airut');
  t.same(cert.publicKey.algorithm, { name: 'ECDSA', namedCurve: 'P-256' });
  t.equal(cert.getExtension(x509.BasicConstraintsExtension)?.ca, true);
  t.ok(await cert.verify({ signatureOnly: true }), 'self-signed signature verifies');
  t.equal(createPrivateKey(await readFile(first.keyPath)).asymmetricKeyDetails?.namedCurve, 'prime256v1');

  const second = await ensureCa(dir);
  t.same(second, first, 'the second call returns the same CA');
});

void t.test('concurrent first calls end with exactly one CA', async (t) => {
  const dir = t.testdir();
  const results = await Promise.all(Array.from({ length: 6 }, () => ensureCa(dir)));
  const pems = new Set(results.map((r) => r.certPem));
  t.equal(pems.size, 1);
  t.same(await readdir(dir), ['current'], 'no staging directory is left behind');
});

void t.test('a key readable by others is refused', async (t) => {
  const dir = t.testdir();
  const ca = await ensureCa(dir);
  await chmod(ca.keyPath, 0o644);
  await t.rejects(ensureCa(dir), { code: 'CA_INVALID', message: /readable by other users \(mode 644\)/ });
});

void t.test('a key that does not match the certificate is refused', async (t) => {
  const root = t.testdir();
  const dir = join(root, 'one');
  const ca = await ensureCa(dir);
  const other = await ensureCa(join(root, 'two'));
  await writeFile(ca.keyPath, await readFile(other.keyPath), { mode: 0o600 });
  await t.rejects(ensureCa(dir), { code: 'CA_INVALID', message: /does not belong to the certificate/ });
});

void t.test('a garbled certificate is refused with a hint to regenerate', async (t) => {
  const dir = t.testdir();
  const ca = await ensureCa(dir);
  await writeFile(ca.certPath, 'not a certificate\n');
  await t.rejects(ensureCa(dir), { code: 'CA_INVALID', hint: new RegExp(`Remove ${join(dir, 'current')}`) });
});

void t.test('a half-present pair is refused, not overwritten', async (t) => {
  const dir = t.testdir();
  const ca = await ensureCa(dir);
  await rm(ca.keyPath);
  await t.rejects(ensureCa(dir), { code: 'CA_INVALID', message: /cannot read .*ca-key\.pem/ });
});

void t.test('an expired CA is reported', async (t) => {
  const dir = t.testdir();
  await ensureCa(dir);
  const later = new Date(Date.now() + 3651 * 86_400_000);
  await t.rejects(ensureCa(dir, { now: () => later }), { code: 'CA_EXPIRED' });
});

void t.test('an uncreatable directory is reported with its path', async (t) => {
  const file = join(t.testdir(), 'plain-file');
  await writeFile(file, '');
  const dir = join(file, 'ca');
  await t.rejects(ensureCa(dir), { code: 'CA_DIR_UNWRITABLE', message: new RegExp(dir) });
});
