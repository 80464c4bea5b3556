import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';

/** A config as an operator writes it: comments, blank lines, own spacing, `!env` and `!var` references, a literal secret. */
export const SAMPLE = `# Airut on the build box
config_version: 1

execution:
  max_concurrent: 2    # two containers at once
  container_env:
    CONTAINERS_CONF: !env TEST_CONTAINERS_CONF

vars:
  mail_host: mail.example.com  # shared by both channels

repos:
  # The web app
  web:
    repo_url: https://example.com/web.git
    model: sonnet
    email:
      imap_server: !var mail_host
      smtp_server: !var mail_host
      username: bot@example.com
      password: !env WEB_MAIL_PASSWORD   # kept in the environment
      from: Airut <bot@example.com>
      authorized_senders:
        - alice@example.com
      trusted_authserv_id: mx.example.com
    secrets:
      API_TOKEN: tok-literal-0123456789abcdef
`;

/** The environment the sample needs. */
export const SAMPLE_ENV = { TEST_CONTAINERS_CONF: '/etc/containers.conf', WEB_MAIL_PASSWORD: 'pw-from-env-0000' };

/** Writes `text` as airut.yaml in a fresh directory removed after the test (`null`: no file); returns its path. */
export async function configFile(t: Test, text: string | null = SAMPLE): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'airut-edit-test-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'airut.yaml');
  if (text !== null) await writeFile(path, text, { mode: 0o644 });
  return path;
}
