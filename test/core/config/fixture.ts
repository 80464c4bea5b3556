import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { type ConfigError, loadConfig } from '../../../src/core/config/index.js';

/** Writes `airut.yaml` (and optionally `.env`) into a fresh directory removed after the test. */
export async function writeConfig(t: Test, yaml: string, dotenv?: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'airut-config-test-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'airut.yaml');
  await writeFile(file, yaml);
  if (dotenv !== undefined) await writeFile(join(dir, '.env'), dotenv);
  return file;
}

/** Loads `yaml` expecting a ConfigError, and returns it (fails the test otherwise). */
export async function loadError(t: Test, yaml: string, env: Record<string, string> = {}): Promise<ConfigError> {
  const path = await writeConfig(t, yaml);
  const error = await loadConfig({ path, env }).then(() => undefined, (e: unknown) => e);
  t.ok(error instanceof Error && 'problems' in error, 'loading fails with a ConfigError');
  return error as ConfigError;
}

/** A minimal valid repo with an email channel, as YAML lines indented under `repos:`. */
export const EMAIL_REPO = `  x:
    repo_url: https://example.com/x.git
    email:
      imap_server: imap.example.com
      smtp_server: smtp.example.com
      username: airut@example.com
      password: secret
      from: airut@example.com
      trusted_authserv_id: mx.example.com
      authorized_senders: ["*@example.com"]
`;
