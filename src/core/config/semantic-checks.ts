import { createPrivateKey } from 'node:crypto';
import { cronProblem } from './cron-expression.js';
import type { KeySegment } from './key-path.js';
import type { SchemaProblem } from './schema-problems.js';

type Mapping = Record<string, unknown>;

function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmptyMapping(value: unknown): boolean {
  return isMapping(value) && Object.keys(value).length > 0;
}

/** Why `pem` cannot sign GitHub App JWTs (RS256), or undefined when it can. Never quotes the key. */
function rsaKeyProblem(pem: string): string | undefined {
  try {
    const key = createPrivateKey({ key: pem, format: 'pem' });
    return key.asymmetricKeyType === 'rsa' ? undefined : `is a ${key.asymmetricKeyType ?? 'non-RSA'} key; GitHub Apps sign with RSA keys (PKCS#1 or PKCS#8 PEM)`;
  } catch {
    // The parser's message could quote key material.
    return 'is not a readable PEM private key; paste the .pem file GitHub generated for the App (PKCS#1 "BEGIN RSA PRIVATE KEY" or PKCS#8 "BEGIN PRIVATE KEY")';
  }
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    // RangeError is how Intl says the zone is unknown.
    return false;
  }
}

/**
 * Rules that span several keys and so cannot live in the JSON Schema: a channel
 * per repo, password or OAuth, one inbox per repo, schedule consistency,
 * credentials, budgets and approvals that need the network sandbox, holds
 * that need someone to ask. Works on partly invalid data (the
 * schema reports the shapes); each rule only looks at values of the right type.
 * `config` has the schema's defaults filled in; `written` is the same data as
 * written, for rules about keys the user set.
 */
export function semanticProblems(config: unknown, written: unknown = config): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  const add = (segments: KeySegment[], message: string, part: 'key' | 'value' = 'value'): void => {
    problems.push({ segments, part, message });
  };
  if (!isMapping(config) || !isMapping(config.repos)) return problems;

  const inboxes = new Map<string, string>();
  for (const [id, repo] of Object.entries(config.repos)) {
    if (!isMapping(repo)) continue;
    const base: KeySegment[] = ['repos', id];
    if (repo.email === undefined && repo.slack === undefined) {
      add(base, 'no channel configured; add an email: or slack: block', 'key');
    }
    const email = repo.email;
    if (isMapping(email)) {
      if (email.password === undefined && email.microsoft_oauth2 === undefined) {
        add([...base, 'email', 'password'], 'is required unless microsoft_oauth2 is set', 'key');
      }
      if ((email.verify ?? 'provider') === 'provider' && email.trusted_authserv_id === undefined) {
        add([...base, 'email', 'trusted_authserv_id'], 'is required when verify is "provider" (the authserv-id in your provider\'s Authentication-Results header, e.g. "mx.google.com"); or set verify: local', 'key');
      }
      if (typeof email.imap_server === 'string' && typeof email.username === 'string') {
        const inbox = `${email.imap_server.toLowerCase()}/${email.username.toLowerCase()}`;
        const other = inboxes.get(inbox);
        if (other !== undefined) {
          add([...base, 'email', 'username'], `repos ${JSON.stringify(other)} and ${JSON.stringify(id)} share the IMAP inbox ${email.username} on ${email.imap_server}; each repo needs its own inbox`);
        } else {
          inboxes.set(inbox, id);
        }
      }
    }

    const network = repo.network;
    const sandboxOff = isMapping(network) && network.sandbox_enabled === false;
    if (sandboxOff) {
      for (const pool of ['masked_secrets', 'signing_credentials', 'github_app_credentials']) {
        if (nonEmptyMapping(repo[pool])) add([...base, pool], `needs the network sandbox, but network.sandbox_enabled is false; enable it or move these to secrets:`, 'key');
      }
      // Budgets are counted and enforced by the proxy: without it they would silently do nothing.
      if (nonEmptyMapping(repo.budgets)) add([...base, 'budgets'], 'are enforced by the network sandbox\'s proxy, but network.sandbox_enabled is false; enable it or remove budgets:', 'key');
      // Approvals and holds act on the proxy's allowlist too; `approvals: off` and a hold of 0 agree with having none.
      const writtenRepos = isMapping(written) && isMapping(written.repos) ? written.repos : {};
      const writtenRepo = writtenRepos[id];
      const writtenNetwork = isMapping(writtenRepo) && isMapping(writtenRepo.network) ? writtenRepo.network : {};
      if (writtenNetwork.approvals === 'exact') add([...base, 'network', 'approvals'], 'lays approvals over the network sandbox\'s allowlist, but network.sandbox_enabled is false; enable it or remove approvals:', 'key');
      if (writtenNetwork.approval_ttl !== undefined) add([...base, 'network', 'approval_ttl'], 'is how long approvals of blocked requests last, but with network.sandbox_enabled false nothing is blocked; enable it or remove approval_ttl:', 'key');
      if (typeof writtenNetwork.approval_hold_seconds === 'number' && writtenNetwork.approval_hold_seconds > 0) {
        add([...base, 'network', 'approval_hold_seconds'], 'holds blocked requests at the network sandbox\'s proxy, but network.sandbox_enabled is false; enable it or set it to 0', 'key');
      }
    }
    const hold = isMapping(network) ? network.approval_hold_seconds : undefined;
    const dashboardOff = isMapping(config.dashboard) && config.dashboard.enabled === false;
    if (!sandboxOff && typeof hold === 'number' && hold > 0 && repo.slack === undefined && dashboardOff) {
      add([...base, 'network', 'approval_hold_seconds'], 'holds a blocked request while someone is asked, but this repo has no slack: block and the dashboard is off (dashboard.enabled: false), so nobody could be asked and every hold would end in a 403 at once; add slack:, enable the dashboard, or set it to 0', 'key');
    }

    if (isMapping(repo.signing_credentials)) {
      for (const [name, credential] of Object.entries(repo.signing_credentials)) {
        if (!isMapping(credential)) continue;
        const at: KeySegment[] = [...base, 'signing_credentials', name];
        const keyId = isMapping(credential.access_key_id) ? credential.access_key_id.value : undefined;
        // It travels in `Credential=KID/...` and query strings; the value itself is never quoted.
        if (typeof keyId === 'string' && !/^[A-Za-z0-9]{3,128}$/.test(keyId)) add([...at, 'access_key_id', 'value'], 'must be an access key id (3-128 letters and digits, like AKIA... or ASIA...)');
        const names = ['access_key_id', 'secret_access_key', 'session_token']
          .map((part) => (isMapping(credential[part]) ? credential[part].name : undefined))
          .filter((n) => typeof n === 'string');
        if (new Set(names).size !== names.length) add(at, 'access_key_id, secret_access_key and session_token must name different environment variables', 'key');
      }
    }
    if (isMapping(repo.github_app_credentials)) {
      for (const [name, app] of Object.entries(repo.github_app_credentials)) {
        // Text that is not PEM at all is the schema's to report.
        if (!isMapping(app) || typeof app.private_key !== 'string' || !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(app.private_key)) continue;
        const problem = rsaKeyProblem(app.private_key);
        if (problem !== undefined) add([...base, 'github_app_credentials', name, 'private_key'], problem);
      }
    }

    if (!isMapping(repo.schedules)) continue;
    for (const [name, schedule] of Object.entries(repo.schedules)) {
      if (!isMapping(schedule)) continue;
      const at: KeySegment[] = [...base, 'schedules', name];
      const hasPrompt = schedule.prompt !== undefined;
      const hasTrigger = schedule.trigger_command !== undefined;
      if (hasPrompt === hasTrigger) {
        add(at, hasPrompt ? 'prompt and trigger_command are mutually exclusive; keep one' : 'needs exactly one of prompt or trigger_command', 'key');
      }
      if (typeof schedule.cron === 'string') {
        const problem = cronProblem(schedule.cron);
        if (problem !== undefined) add([...at, 'cron'], `invalid cron expression ${JSON.stringify(schedule.cron)}: ${problem}`);
      }
      if (typeof schedule.timezone === 'string' && !isTimeZone(schedule.timezone)) {
        add([...at, 'timezone'], `unknown time zone ${JSON.stringify(schedule.timezone)}; use an IANA name like "Europe/Helsinki" or "UTC"`);
      }
      const deliver = schedule.deliver;
      if (isMapping(deliver)) {
        const channel = deliver.channel ?? 'email';
        if ((channel === 'email' || channel === 'slack') && repo[channel] === undefined) {
          add([...at, 'deliver', 'channel'], `is ${JSON.stringify(channel)}, but repo ${JSON.stringify(id)} has no ${channel}: block`);
        }
      }
    }
  }
  return problems;
}
