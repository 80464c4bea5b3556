import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CaError } from './ca-error.js';
import { createCa } from './create-ca.js';

/** Where the CA lives and the certificate text (the key is only ever read by the proxy). */
export interface CaFiles {
  /** PEM certificate (mode 0644): the only file that may be mounted into task containers. */
  certPath: string;
  /** PKCS#8 PEM private key (mode 0600): mounted into the proxy container only. */
  keyPath: string;
  /** The certificate, PEM. */
  certPem: string;
}

/** Seams for {@link ensureCa}. */
export interface EnsureCaOptions {
  /** Clock used for validity checks and for the dates of a new CA. */
  now?: () => Date;
}

/** Name of the directory, inside the caller's CA dir, that holds the committed pair. */
export const CA_SUBDIR = 'current';
/** File names inside {@link CA_SUBDIR}. */
export const CA_CERT_FILE = 'ca-cert.pem';
export const CA_KEY_FILE = 'ca-key.pem';

/**
 * Returns the host's Airut CA under `dir`, generating it on first use.
 *
 * The pair is written into a private temp directory and committed with a single
 * `rename` of that directory to `dir/current`: the rename either creates the
 * directory or fails because it already exists, so concurrent first calls (two
 * CLI runs, CLI and service) end with exactly one CA and nobody ever reads a
 * half-written pair. An existing CA is validated, never silently replaced: a
 * broken or expired CA is an error whose hint says how to regenerate it.
 *
 * @param dir Callers pass `$XDG_DATA_HOME/airut/ca`.
 */
export async function ensureCa(dir: string, options: EnsureCaOptions = {}): Promise<CaFiles> {
  const now = options.now ?? (() => new Date());
  const committed = join(dir, CA_SUBDIR);
  const existing = await readCa(committed, now());
  if (existing !== undefined) return existing;

  await mkdirPrivate(dir);
  let staging: string;
  try {
    staging = await mkdtemp(join(dir, '.staging-'));
  } catch (cause) {
    throw unwritable(dir, cause);
  }
  try {
    const { certPem, keyPem } = await createCa(now());
    await writeFile(join(staging, CA_KEY_FILE), keyPem, { mode: 0o600, flag: 'wx' });
    await writeFile(join(staging, CA_CERT_FILE), certPem, { mode: 0o644, flag: 'wx' });
    // mkdtemp makes the directory 0700; the certificate must stay readable.
    await chmod(staging, 0o755);
    try {
      await rename(staging, committed);
    } catch (cause) {
      if (!isCode(cause, 'EEXIST') && !isCode(cause, 'ENOTEMPTY')) throw cause;
      // Another process committed first: its CA is the host's CA.
    }
  } catch (cause) {
    throw cause instanceof CaError ? cause : unwritable(dir, cause);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  const result = await readCa(committed, now());
  if (result === undefined) {
    throw new CaError('CA_INVALID', `The CA directory ${committed} vanished right after it was created.`, {
      hint: `Check that nothing else removes files under ${dir}.`,
    });
  }
  return result;
}

async function readCa(committed: string, now: Date): Promise<CaFiles | undefined> {
  const certPath = join(committed, CA_CERT_FILE);
  const keyPath = join(committed, CA_KEY_FILE);
  let certPem: string;
  let keyPem: string;
  try {
    certPem = await readFile(certPath, 'utf8');
  } catch (cause) {
    if (!isMissing(cause)) throw invalid(committed, `cannot read ${certPath}`, cause);
    if (!(await exists(committed))) return undefined;
    // The directory appeared between the read and the check: a concurrent first
    // call committed its CA just then (one rename, so the pair is complete). Read again.
    try {
      certPem = await readFile(certPath, 'utf8');
    } catch (again) {
      throw invalid(committed, `cannot read ${certPath}`, again);
    }
  }
  try {
    keyPem = await readFile(keyPath, 'utf8');
  } catch (cause) {
    throw invalid(committed, `cannot read ${keyPath}`, cause);
  }
  const keyMode = (await stat(keyPath)).mode & 0o777;
  if ((keyMode & 0o077) !== 0) {
    throw new CaError('CA_INVALID', `The CA private key ${keyPath} is readable by other users (mode ${keyMode.toString(8)}).`, {
      hint: `Anyone who read it can impersonate every host to the sandbox. Remove ${committed} to generate a new CA, or run \`chmod 600 ${keyPath}\` if you are sure it was not copied.`,
    });
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch (cause) {
    throw invalid(committed, `${certPath} is not a PEM certificate`, cause);
  }
  if (!cert.ca) throw invalid(committed, `${certPath} is not a CA certificate (basicConstraints CA is not set)`);
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch (cause) {
    throw invalid(committed, `${keyPath} is not a PEM private key`, cause);
  }
  if (!cert.checkPrivateKey(key)) {
    throw invalid(committed, `${keyPath} does not belong to the certificate ${certPath}`);
  }
  const notAfter = new Date(cert.validTo);
  if (notAfter.getTime() <= now.getTime()) {
    throw new CaError('CA_EXPIRED', `The Airut CA ${certPath} expired on ${notAfter.toISOString()}.`, {
      hint: `Remove ${committed} to generate a new CA on the next run.`,
    });
  }
  return { certPath, keyPath, certPem };
}

async function mkdirPrivate(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (cause) {
    throw unwritable(dir, cause);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (cause) {
    if (isMissing(cause)) return false;
    throw cause;
  }
}

function invalid(committed: string, problem: string, cause?: unknown): CaError {
  return new CaError('CA_INVALID', `The Airut CA in ${committed} is unusable: ${problem}.`, {
    hint: `Remove ${committed} to generate a new CA on the next run (task containers started afterwards trust the new one).`,
    cause,
  });
}

function unwritable(dir: string, cause: unknown): CaError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new CaError('CA_DIR_UNWRITABLE', `Cannot create the Airut CA under ${dir}: ${detail}.`, {
    hint: `Make ${dir} writable by this user, or point XDG_DATA_HOME at a writable directory.`,
    cause,
  });
}

/** ENOTDIR counts as missing: a path under a plain file cannot exist either. */
function isMissing(error: unknown): boolean {
  return isCode(error, 'ENOENT') || isCode(error, 'ENOTDIR');
}

function isCode(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}
