import type { ServerConfig } from '../config/index.js';
import type { LogRecord, LogSink } from '../log/index.js';

/** Shorter values are not treated as secrets: redacting them would garble ordinary words. */
const MIN_SECRET_LENGTH = 8;

/** Stands in for a secret in log output. */
export const REDACTED = '[REDACTED]';

/**
 * Replaces every registered secret in log messages and field values. Secrets
 * are registered as the config is loaded (and again on reload), before any
 * line could mention them.
 */
export class Redactor {
  private readonly secrets = new Set<string>();

  /** Registers values to hide; empty and very short ones are ignored. */
  add(...values: readonly (string | undefined)[]): void {
    for (const value of values) if (value !== undefined && value.length >= MIN_SECRET_LENGTH) this.secrets.add(value);
  }

  /** `text` with every registered secret replaced by {@link REDACTED}, longest first. */
  redact(text: string): string {
    let out = text;
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) out = out.replaceAll(secret, REDACTED);
    return out;
  }

  /** A sink that redacts each record and passes it on. */
  sink(next: LogSink): LogSink {
    return (record: LogRecord) => {
      const fields: LogRecord['fields'] = {};
      for (const [key, value] of Object.entries(record.fields)) fields[key] = typeof value === 'string' ? this.redact(value) : value;
      next({ ...record, message: this.redact(record.message), fields });
    };
  }
}

/** Every credential a server config holds: the values a log line must never show. */
export function configSecrets(config: ServerConfig): string[] {
  const found: (string | undefined)[] = [];
  for (const repo of Object.values(config.repos)) {
    found.push(...Object.values(repo.secrets));
    found.push(...Object.values(repo.masked_secrets).map((s) => s.value));
    for (const signing of Object.values(repo.signing_credentials)) {
      found.push(signing.access_key_id.value, signing.secret_access_key.value, signing.session_token?.value);
    }
    found.push(...Object.values(repo.github_app_credentials).map((g) => g.private_key));
    found.push(repo.email?.password, repo.email?.microsoft_oauth2?.client_secret);
    found.push(repo.slack?.bot_token, repo.slack?.app_token);
  }
  return found.filter((v): v is string => v !== undefined);
}
