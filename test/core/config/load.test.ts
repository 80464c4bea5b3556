import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { isScalar } from 'yaml';
import { ConfigError, EnvReference, loadConfig } from '../../../src/core/config/index.js';
import { EMAIL_REPO, loadError, writeConfig } from './fixture.js';

void t.test('a missing file gives the defaults and no repos', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'airut-config-test-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const loaded = await loadConfig({ path: join(dir, 'airut.yaml'), env: {} });
  t.equal(loaded.exists, false);
  t.equal(loaded.hash, '');
  t.same(loaded.config.repos, {});
  t.same(loaded.config.dashboard, { enabled: true, host: '127.0.0.1', port: 5200 });
  t.same(loaded.config.execution, {
    max_concurrent: 3, shutdown_timeout: 60, conversation_max_age_days: 7, image_prune: true,
    container_command: 'podman', container_env: {}, max_image_age_hours: 24,
  });
  t.equal(loaded.config.network.subnet_pool, '10.199.0.0/16');
  t.equal(loaded.document.errors.length, 0);
});

void t.test('an empty or comment-only file is the defaults too', async (t) => {
  for (const text of ['', '# nothing configured yet\n']) {
    const loaded = await loadConfig({ path: await writeConfig(t, text), env: {} });
    t.equal(loaded.exists, true);
    t.same(loaded.config.repos, {});
  }
});

void t.test('a valid file: defaults filled in, hash of the bytes, tags kept in the document', async (t) => {
  const text = `repos:\n${EMAIL_REPO.replace('password: secret', 'password: !env IMAP_PASSWORD')}`;
  const path = await writeConfig(t, text);
  const loaded = await loadConfig({ path, env: { IMAP_PASSWORD: 'hunter2' } });
  t.equal(loaded.exists, true);
  t.equal(loaded.path, path);
  t.equal(loaded.hash, createHash('sha256').update(await readFile(path)).digest('hex'));
  const repo = loaded.config.repos.x;
  t.equal(repo?.email?.password, 'hunter2');
  t.equal(repo?.email?.imap_port, 993);
  t.equal(repo?.email?.smtp_port, 587);
  t.equal(repo?.email?.verify, 'provider');
  t.equal(repo?.model, 'opus');
  t.equal(repo?.claude_version, 'latest');
  t.equal(repo?.container_path, '.airut/container');
  t.equal(repo?.network.sandbox_enabled, true);
  t.same(repo?.resource_limits, {});
  t.same(repo?.masked_secrets, {});
  const node = loaded.document.getIn(['repos', 'x', 'email', 'password'], true);
  t.ok(isScalar(node) && node.value instanceof EnvReference && node.tag === '!env', 'the Document holds the reference, not the secret');
  t.match(String(loaded.document), /password: !env IMAP_PASSWORD\n/);
  t.notMatch(String(loaded.document), /hunter2/);
});

void t.test('the Document saves !env and !var back as tags, including new ones', async (t) => {
  const path = await writeConfig(t, 'vars:\n  port: 8080\ndashboard:\n  port: !var port\n  host: !env HOST?\n');
  const loaded = await loadConfig({ path, env: {} });
  loaded.document.setIn(['dashboard', 'base_url'], new EnvReference('BASE_URL', false));
  t.equal(String(loaded.document), 'vars:\n  port: 8080\ndashboard:\n  port: !var port\n  host: !env HOST?\n  base_url: !env BASE_URL\n');
});

void t.test('a failed load still reports the hash of the bytes it read', async (t) => {
  const path = await writeConfig(t, 'dashboard: {port: x}\n');
  const expected = createHash('sha256').update(await readFile(path)).digest('hex');
  await t.rejects(loadConfig({ path, env: {} }), { code: 'CONFIG_INVALID', hash: expected });
  const broken = await writeConfig(t, 'dashboard: [\n');
  await t.rejects(loadConfig({ path: broken, env: {} }), { code: 'CONFIG_YAML_SYNTAX', hash: /^[0-9a-f]{64}$/ });
});

void t.test('.env beside the config fills in the environment without overriding it', async (t) => {
  const text = `repos:\n${EMAIL_REPO.replace('password: secret', 'password: !env IMAP_PASSWORD').replace('username: airut@example.com', 'username: !env IMAP_USER')}`;
  const path = await writeConfig(t, text, '# secrets\nIMAP_PASSWORD="from dotenv"\nexport IMAP_USER=dotenv-user # comment\n');
  const fromFile = await loadConfig({ path, env: {} });
  t.equal(fromFile.config.repos.x?.email?.password, 'from dotenv');
  t.equal(fromFile.config.repos.x?.email?.username, 'dotenv-user');
  const fromEnv = await loadConfig({ path, env: { IMAP_PASSWORD: 'from env' } });
  t.equal(fromEnv.config.repos.x?.email?.password, 'from env', 'the real environment wins');
  t.equal(fromEnv.config.repos.x?.email?.username, 'dotenv-user');
});

void t.test('!env values become numbers and booleans where the schema wants them', async (t) => {
  const text = `repos:\n${EMAIL_REPO}      imap_port: !env PORT\n      use_imap_idle: !env IDLE\n      poll_interval: !env POLL\n`;
  const path = await writeConfig(t, text);
  const loaded = await loadConfig({ path, env: { PORT: '1143', IDLE: 'no', POLL: '2.5' } });
  t.equal(loaded.config.repos.x?.email?.imap_port, 1143);
  t.equal(loaded.config.repos.x?.email?.use_imap_idle, false);
  t.equal(loaded.config.repos.x?.email?.poll_interval, 2.5);
  await t.rejects(loadConfig({ path, env: { PORT: 'abc', IDLE: 'maybe', POLL: '1' } }), {
    code: 'CONFIG_INVALID',
    message: /repos\.x\.email\.imap_port: must be an integer, got "abc" \(airut\.yaml line 12, column 18\)[^]*repos\.x\.email\.use_imap_idle: must be true or false, got "maybe" \(airut\.yaml line 13, column 22\)/,
  });
});

void t.test('!env NAME? leaves out an unset key or list item; a set but empty variable is empty text', async (t) => {
  const text = `repos:\n${EMAIL_REPO.replace('["*@example.com"]', '["*@example.com", !env EXTRA_SENDER?]')}      imap_port: !env PORT?\n    branch: !env BRANCH?\n`;
  const path = await writeConfig(t, text);
  const loaded = await loadConfig({ path, env: {} });
  t.equal(loaded.config.repos.x?.email?.imap_port, 993, 'the default applies');
  t.same(loaded.config.repos.x?.email?.authorized_senders, ['*@example.com']);
  t.notOk(loaded.config.repos.x && 'branch' in loaded.config.repos.x);
  const withExtra = await loadConfig({ path, env: { EXTRA_SENDER: 'bob@other.org' } });
  t.same(withExtra.config.repos.x?.email?.authorized_senders, ['*@example.com', 'bob@other.org']);
  await t.rejects(loadConfig({ path, env: { BRANCH: '' } }), { message: /repos\.x\.branch: must not be empty \(airut\.yaml line 13, column 13\)/ });
});

void t.test('an unset !env is an error naming the variable, the key and the fix', async (t) => {
  const error = await loadError(t, `repos:\n${EMAIL_REPO.replace('password: secret', 'password: !env UNSET_VAR_XYZ')}`);
  t.equal(error.code, 'CONFIG_INVALID');
  t.equal(error.exitCode, 1);
  t.equal(error.problems.length, 1, 'reported once, not again as a missing password');
  t.match(error.problems[0], {
    keyPath: 'repos.x.email.password',
    message: /environment variable UNSET_VAR_XYZ is not set \(from !env UNSET_VAR_XYZ\); set it in the environment or in \/.*\/\.env, or write "!env UNSET_VAR_XYZ\?" if the key may be left out/,
    line: 8,
    column: 17,
  });
  t.match(error.problems[0]?.file, /airut\.yaml$/);
});

void t.test('unresolved references are listed before other problems', async (t) => {
  const error = await loadError(t, 'repos:\n  x:\n    email:\n      password: !env UNSET_VAR_XYZ\n    model: 5\n');
  t.match(error.problems[0], { keyPath: 'repos.x.email.password', message: /UNSET_VAR_XYZ/, line: 4 });
  t.ok(error.problems.length > 5, 'the other problems follow');
  t.match(error.problems.map((problem) => problem.keyPath), ['repos.x.email.password', 'repos.x.repo_url']);
});

void t.test('an unset !env on a required key is reported once', async (t) => {
  const error = await loadError(t, `repos:\n${EMAIL_REPO.replace('username: airut@example.com', 'username: !env NO_SUCH_USER')}`);
  t.equal(error.problems.length, 1);
  t.match(error.message, /repos\.x\.email\.username: environment variable NO_SUCH_USER is not set/);
});

void t.test('!var takes values from vars:, wherever vars: is in the file', async (t) => {
  const text = `repos:\n${EMAIL_REPO.replace('imap_server: imap.example.com', 'imap_server: !var host')}    model: !var model\n    resource_limits:\n      timeout: !var timeout\n      memory: !var memory\nvars:\n  host: mail.example.com\n  model: sonnet\n  timeout: 600\n  memory: !env MEMORY\n  gone: !env GONE?\n`;
  const path = await writeConfig(t, text);
  const loaded = await loadConfig({ path, env: { MEMORY: '2g' } });
  const repo = loaded.config.repos.x;
  t.equal(repo?.email?.imap_server, 'mail.example.com');
  t.equal(repo?.model, 'sonnet');
  t.equal(repo?.resource_limits.timeout, 600);
  t.equal(repo?.resource_limits.memory, '2g');
  t.same(loaded.config.vars, { host: 'mail.example.com', model: 'sonnet', timeout: 600, memory: '2g' });
});

void t.test('a var from an environment variable is converted where it is used', async (t) => {
  const path = await writeConfig(t, `vars:\n  port: !env PORT\ndashboard:\n  port: !var port\n`);
  const loaded = await loadConfig({ path, env: { PORT: '8080' } });
  t.equal(loaded.config.dashboard.port, 8080);
});

void t.test('a var bound to an unset optional !env leaves the key out', async (t) => {
  const path = await writeConfig(t, `vars:\n  port: !env PORT?\ndashboard:\n  port: !var port\n`);
  const loaded = await loadConfig({ path, env: {} });
  t.equal(loaded.config.dashboard.port, 5200);
});

void t.test('!var mistakes', async (t) => {
  const unknown = await loadError(t, 'vars:\n  a: 1\n  b: two\ndashboard:\n  host: !var hots\n');
  t.match(unknown.message, /dashboard\.host: unknown variable "hots" \(from !var hots\); vars: defines "a", "b" \(airut\.yaml line 5, column 9\)/);

  const none = await loadError(t, 'dashboard:\n  host: !var host\n');
  t.match(none.message, /dashboard\.host: unknown variable "host" \(from !var host\); no variables are defined: add it under a top-level vars: mapping/);

  const chained = await loadError(t, 'vars:\n  a: 1\n  b: !var a\n');
  t.match(chained.message, /vars\.b: !var cannot be used inside vars: \(no variable may refer to another\)/);

  const list = await loadError(t, 'vars:\n  a: [1, 2]\n  b: {c: 1}\n');
  t.match(list.message, /vars\.a: variable values must be single values \(text, number, true\/false\), not a list \(airut\.yaml line 2, column 6\)/);
  t.match(list.message, /vars\.b: variable values must be single values \(text, number, true\/false\), not a mapping/);

  const onKey = await loadError(t, 'vars:\n  a: x\nrepos:\n  !var a : {}\n');
  t.match(onKey.message, /repos: !var cannot be used on a key; only values can come from !env or !var/);
});

void t.test('unknown tags and tags on mappings', async (t) => {
  const unknown = await loadError(t, 'dashboard:\n  host: !secret x\n');
  t.match(unknown.message, /dashboard\.host: unknown tag "!secret"; Airut understands !env NAME, !env NAME\? and !var NAME \(airut\.yaml line 2, column 9\)/);
  const onMap = await loadError(t, 'dashboard: !env\n  host: x\n');
  t.match(onMap.message, /dashboard: !env applies to a single value, not to a mapping/);
  const badName = await loadError(t, 'dashboard:\n  host: !env 1BAD\n');
  t.equal(badName.code, 'CONFIG_YAML_SYNTAX');
  t.match(badName.message, /!env needs an environment variable name .* got "1BAD" \(airut\.yaml line 2, column 9\)/);
});

void t.test('broken YAML gives a located syntax error', async (t) => {
  const error = await loadError(t, 'repos:\n  x: [1, 2\ndashboard:\n  port: 1\n');
  t.equal(error.code, 'CONFIG_YAML_SYNTAX');
  t.ok(error.problems.length >= 1);
  t.match(error.problems[0], { keyPath: '', line: Number, column: Number });
  t.match(error.message, /^YAML syntax error in .*airut\.yaml \(\d+ problems?\):\n {2}.+ \(airut\.yaml line \d+, column \d+\)/);
  t.notMatch(error.message, /\n\s+at /, 'no stack trace');
  t.notMatch(error.message, /\^\^/, 'no code excerpt from the parser');

  const duplicate = await loadError(t, 'dashboard:\n  port: 1\n  port: 2\n');
  t.equal(duplicate.code, 'CONFIG_YAML_SYNTAX');
  t.match(duplicate.message, /Map keys must be unique \(airut\.yaml line 3, column 3\)/);
});

void t.test('the root must be a mapping', async (t) => {
  const error = await loadError(t, '- repos\n- dashboard\n');
  t.equal(error.code, 'CONFIG_INVALID');
  t.match(error.message, /the file must be a YAML mapping of keys like "repos:", got a list \(airut\.yaml line 1, column 1\)/);
  const scalar = await loadError(t, 'just text\n');
  t.match(scalar.message, /got "just text"/);
});

void t.test('unknown keys suggest the closest valid key', async (t) => {
  const error = await loadError(t, `dashbaord:\n  port: 1\nrepos:\n${EMAIL_REPO}      imap_prot: 143\n    modle: opus\n    colour: blue\n`);
  const byKey = Object.fromEntries(error.problems.map((problem) => [problem.keyPath, problem]));
  t.match(byKey.dashbaord, { message: 'unknown key; did you mean "dashboard"?', line: 1, column: 1 });
  t.match(byKey['repos.x.email.imap_prot'], { message: 'unknown key; did you mean "imap_port"?', line: 14, column: 7 });
  t.match(byKey['repos.x.modle'], { message: 'unknown key; did you mean "model"?' });
  t.match(byKey['repos.x.colour'], { message: /^unknown key; valid keys here: repo_url, branch, email, slack, model, / });
});

void t.test('every problem is reported at once, in file order, each on its own line', async (t) => {
  const text = [
    'execution:',
    '  max_concurrent: 0',
    'dashboard:',
    '  port: 70000',
    '  host: 5',
    'network:',
    '  subnet_pool: 10.0.0.0/33',
    '  upstream_hosts:',
    '    api.example.com: 1.2.3',
    'repos:',
    '  My Repo:',
    '    repo_url: x',
    '    slack: {bot_token: xoxb-1, app_token: xapp-1, authorized: [{workspace_members: true}]}',
    '  y:',
    '    repo_url: ""',
    '    effort: hihg',
    '    claude_version: newest',
    '    container_path: ../outside',
    '    resource_limits: {timeout: 5, memory: 8x, cpus: 0, pids_limit: 1.5}',
    '    slack: {bot_token: abc, app_token: xapp-1, authorized: []}',
    '',
  ].join('\n');
  const error = await loadError(t, text);
  const lines = error.message.split('\n').slice(1).map((line) => line.trim());
  t.strictSame(lines, [
    'execution.max_concurrent: must be at least 1, got 0 (airut.yaml line 2, column 19)',
    'dashboard.port: must be at most 65535, got 70000 (airut.yaml line 4, column 9)',
    'dashboard.host: must be a string, got 5 (airut.yaml line 5, column 9)',
    'network.subnet_pool: must be an IPv4 CIDR range with a prefix length from 8 to 24, like "10.199.0.0/16", got "10.0.0.0/33" (airut.yaml line 7, column 16)',
    'network.upstream_hosts["api.example.com"]: must be an IP address like "10.0.0.5", got "1.2.3" (airut.yaml line 9, column 22)',
    'repos["My Repo"]: invalid key: must be a repo id (lowercase letters, digits, "-" and "_", starting with a letter or digit, at most 64 characters), got "My Repo" (airut.yaml line 11, column 3)',
    'repos.y.repo_url: must not be empty (airut.yaml line 15, column 15)',
    'repos.y.effort: must be one of "low", "medium", "high", "max"; got "hihg" (did you mean "high"?) (airut.yaml line 16, column 13)',
    'repos.y.claude_version: must be "latest", "stable" or a version like "2.1.332", got "newest" (airut.yaml line 17, column 21)',
    'repos.y.container_path: must be a relative path inside the repository, without "..", got "../outside" (airut.yaml line 18, column 21)',
    'repos.y.resource_limits.timeout: must be at least 10, got 5 (airut.yaml line 19, column 32)',
    'repos.y.resource_limits.memory: must be a size like "512m", "2g" or "1024k", got "8x" (airut.yaml line 19, column 43)',
    'repos.y.resource_limits.cpus: must be at least 0.01, got 0 (airut.yaml line 19, column 53)',
    'repos.y.resource_limits.pids_limit: must be an integer, got 1.5 (airut.yaml line 19, column 68)',
    'repos.y.slack.bot_token: must be a bot token starting with "xoxb-", got "abc" (airut.yaml line 20, column 24)',
    'repos.y.slack.authorized: must not be an empty list (airut.yaml line 20, column 60)',
  ]);
  t.match(error.message, /^Invalid configuration in .*airut\.yaml \(16 problems\):$/m);
  t.equal(error.problems.length, 16);
});

void t.test('required keys name the missing key and point at its block', async (t) => {
  const error = await loadError(t, 'repos:\n  x:\n    repo_url: u\n    email:\n      imap_server: i\n      password: p\n      trusted_authserv_id: a\n');
  t.strictSame(error.problems.map((problem) => `${problem.keyPath}: ${problem.message} @${problem.line}:${problem.column}`), [
    'repos.x.email.smtp_server: is required but missing @4:5',
    'repos.x.email.username: is required but missing @4:5',
    'repos.x.email.from: is required but missing @4:5',
    'repos.x.email.authorized_senders: is required but missing @4:5',
  ]);
});

void t.test('enum and sender patterns', async (t) => {
  const error = await loadError(t, `repos:\n${EMAIL_REPO.replace('["*@example.com"]', '["*@example.com", "bob", "*.example.com"]')}      verify: dkim\n      imap_security: ssl\n`);
  t.match(error.message, /repos\.x\.email\.authorized_senders\[1\]: must be an address like "alice@example\.com" or a domain pattern like "\*@example\.com", got "bob" \(airut\.yaml line 11, column 45\)/);
  t.match(error.message, /repos\.x\.email\.authorized_senders\[2\]: must be an address like/);
  t.match(error.message, /repos\.x\.email\.verify: must be one of "provider", "local"; got "dkim" \(airut\.yaml line 12/);
  t.match(error.message, /repos\.x\.email\.imap_security: must be one of "auto", "tls", "starttls", "none"; got "ssl"/);
});

void t.test('slack authorization rules', async (t) => {
  const error = await loadError(t, 'repos:\n  x:\n    repo_url: u\n    slack:\n      bot_token: xoxb-1\n      app_token: xapp-1\n      authorized:\n        - {}\n        - {user_id: U1, user_group: eng}\n        - {user_name: bob}\n        - {user_id: bob}\n      allowed_channels: [general]\n');
  const byKey = Object.fromEntries(error.problems.map((problem) => [problem.keyPath, problem.message]));
  t.equal(byKey['repos.x.slack.authorized[0]'], 'must have exactly one of the keys workspace_members, user_id, user_group; got none');
  t.equal(byKey['repos.x.slack.authorized[1]'], 'must have exactly one of the keys workspace_members, user_id, user_group; got user_id, user_group');
  t.match(byKey['repos.x.slack.authorized[2].user_name'], /^unknown key; /);
  t.equal(byKey['repos.x.slack.authorized[3].user_id'], 'must be a Slack user id like "U0123456789", got "bob"');
  t.equal(byKey['repos.x.slack.allowed_channels[0]'], 'must be a Slack channel id like "C0123456789", got "general"');
});

void t.test('rules across keys', async (t) => {
  const error = await loadError(t, [
    'repos:',
    EMAIL_REPO.trimEnd(),
    '    network: {sandbox_enabled: false}',
    '    masked_secrets:',
    '      GH_TOKEN: {value: t, scopes: [github.com], headers: [Authorization]}',
    '    schedules:',
    '      both: {cron: "0 9 * * *", prompt: p, trigger_command: c, deliver: {to: a@b.c}}',
    '      neither: {cron: "0 9 * * *", deliver: {to: a@b.c, channel: slack}}',
    '      badcron: {cron: "61 9 * * *", prompt: p, timezone: Mars/Olympus, deliver: {to: a@b.c}}',
    '  y:',
    '    repo_url: u',
    '  z:',
    '    repo_url: u',
    '    email:',
    '      imap_server: IMAP.example.com',
    '      smtp_server: s',
    '      username: AIRUT@example.com',
    '      from: f',
    '      authorized_senders: [a@b.c]',
    '',
  ].join('\n'));
  const messages = error.problems.map((problem) => `${problem.keyPath}: ${problem.message}`);
  t.strictSame(messages, [
    'repos.x.masked_secrets: needs the network sandbox, but network.sandbox_enabled is false; enable it or move these to secrets:',
    'repos.x.schedules.both: prompt and trigger_command are mutually exclusive; keep one',
    'repos.x.schedules.neither: needs exactly one of prompt or trigger_command',
    'repos.x.schedules.neither.deliver.channel: is "slack", but repo "x" has no slack: block',
    'repos.x.schedules.badcron.cron: invalid cron expression "61 9 * * *": minute field "61": values must be between 0 and 59',
    'repos.x.schedules.badcron.timezone: unknown time zone "Mars/Olympus"; use an IANA name like "Europe/Helsinki" or "UTC"',
    'repos.y: no channel configured; add an email: or slack: block',
    'repos.z.email.password: is required unless microsoft_oauth2 is set',
    'repos.z.email.trusted_authserv_id: is required when verify is "provider" (the authserv-id in your provider\'s Authentication-Results header, e.g. "mx.google.com"); or set verify: local',
    'repos.z.email.username: repos "x" and "z" share the IMAP inbox AIRUT@example.com on IMAP.example.com; each repo needs its own inbox',
  ]);
});

void t.test('anchors and aliases are followed', async (t) => {
  const path = await writeConfig(t, `repos:\n${EMAIL_REPO.replace('authorized_senders: ["*@example.com"]', 'authorized_senders: &senders ["*@example.com"]')}  y:\n    repo_url: https://example.com/y.git\n    slack: {bot_token: xoxb-1, app_token: xapp-1, authorized: [{workspace_members: true}]}\n    schedules:\n      s: {cron: "0 9 * * 1-5", prompt: p, deliver: {to: C1, channel: slack}}\n`);
  const loaded = await loadConfig({ path, env: {} });
  t.same(loaded.config.repos.x?.email?.authorized_senders, ['*@example.com']);
  t.equal(loaded.config.repos.y?.schedules.s?.enable, true);
  t.equal(loaded.config.repos.y?.schedules.s?.output_limit, 102400);
});

void t.test('merge keys share blocks between repos; keys written beside them win', async (t) => {
  const base = EMAIL_REPO.replace('    email:\n', '    email: &mail\n');
  const path = await writeConfig(t, `repos:\n${base}  y:\n    repo_url: https://example.com/y.git\n    email:\n      <<: *mail\n      username: y@example.com\n`);
  const loaded = await loadConfig({ path, env: {} });
  t.equal(loaded.config.repos.y?.email?.username, 'y@example.com');
  t.equal(loaded.config.repos.y?.email?.imap_server, 'imap.example.com');
  t.equal(loaded.config.repos.y?.email?.password, 'secret');
  const bad = await loadError(t, 'dashboard:\n  <<: 5\n');
  t.match(bad.message, /dashboard: a merge key \(<<\) needs a mapping or a list of mappings/);
});

void t.test('an unreadable config or .env is CONFIG_UNREADABLE, not a crash', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'airut-config-test-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await t.rejects(loadConfig({ path: dir, env: {} }), {
    code: 'CONFIG_UNREADABLE',
    message: `Cannot read the configuration ${dir}: it is a directory`,
  });
  const path = await writeConfig(t, 'dashboard: {port: 1}\n');
  await mkdir(join(path, '..', '.env-dir'));
  const withDirEnv = join(path, '..', '.env');
  await rm(withDirEnv, { force: true });
  await mkdir(withDirEnv);
  const error = await loadConfig({ path, env: {} }).then(() => undefined, (e: unknown) => e);
  t.type(error, ConfigError);
  t.match(error, { code: 'CONFIG_UNREADABLE', message: /\.env: it is a directory$/, hint: /readable file/ });
});
