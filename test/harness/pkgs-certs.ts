import { execa } from 'execa';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A CA and a certificate for pkgs.test made in `dir` for this run (the
 * committed test certificate does not name it): `certs` is the directory a
 * fake upstream serves them from, `ca` the file for `upstream_ca_file`.
 */
export async function pkgsCertificates(dir: string): Promise<{ certs: string; ca: string }> {
  const openssl = (args: string[]) => execa('openssl', args, { cwd: dir });
  await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca-key.pem', '-out', 'ca-cert.pem', '-days', '2', '-subj', '/CN=airut pkgs.test CA']);
  await openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server-key.pem', '-out', 'server.csr', '-subj', '/CN=pkgs.test']);
  await writeFile(join(dir, 'san.ext'), 'subjectAltName=DNS:pkgs.test\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  await openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca-cert.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', 'server-cert.pem', '-days', '2', '-extfile', 'san.ext']);
  return { certs: dir, ca: join(dir, 'ca-cert.pem') };
}
