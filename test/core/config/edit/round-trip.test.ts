import t from 'tap';
import { parseDocument } from 'yaml';
import { applyEdits, previewConfigEdits, type ConfigEdit } from '../../../../src/core/config/edit/index.js';
import { configTags, loadConfig } from '../../../../src/core/config/index.js';
import { SAMPLE, SAMPLE_ENV, configFile } from './sample.js';

/** The text a save of `edits` onto SAMPLE would write. */
function edited(edits: ConfigEdit[], text = SAMPLE): { text: string; problems: string[] } {
  const { document, problems } = applyEdits(parseDocument(text, { customTags: configTags }), edits);
  return { text: document.toString({ lineWidth: 0 }), problems: problems.map((problem) => `${problem.segments.join('.')}: ${problem.message}`) };
}

t.test('a changed value keeps every comment, the key order and the references elsewhere', async (t) => {
  const path = await configFile(t);
  const preview = await previewConfigEdits({ path, env: SAMPLE_ENV, baseHash: '', edits: [{ op: 'set', path: ['execution', 'max_concurrent'], value: '4' }] });
  t.same(preview.problems, []);
  t.equal(preview.stale, true, 'the empty base hash is not the file\'s');
  const { text } = edited([{ op: 'set', path: ['execution', 'max_concurrent'], value: '4' }]);
  t.match(text, /max_concurrent: 4 +# two containers at once/, 'the line comment stays on the changed value');
  for (const kept of ['# Airut on the build box', '# The web app', '# shared by both channels', '# kept in the environment',
    'CONTAINERS_CONF: !env TEST_CONTAINERS_CONF', 'imap_server: !var mail_host', 'password: !env WEB_MAIL_PASSWORD']) {
    t.ok(text.includes(kept), `keeps ${kept}`);
  }
  const order = (source: string): string[] => [...source.matchAll(/^\s*([a-z_A-Z]+):/gm)].map((match) => match[1] ?? '');
  t.same(order(text), order(SAMPLE), 'same keys in the same order');
});

t.test('the saved text keeps the operator\'s spacing on lines the edit did not touch', async (t) => {
  const path = await configFile(t);
  const preview = await previewConfigEdits({ path, env: SAMPLE_ENV, baseHash: '', edits: [{ op: 'set', path: ['repos', 'web', 'model'], value: 'opus' }] });
  t.equal(preview.diff, `--- a/airut.yaml
+++ b/airut.yaml
@@ -13,7 +13,7 @@
   # The web app
   web:
     repo_url: https://example.com/web.git
-    model: sonnet
+    model: opus
     email:
       imap_server: !var mail_host
       smtp_server: !var mail_host
`, 'only the edited line changes; "max_concurrent: 2    #" keeps its spaces');
});

t.test('a reference is replaced only by an explicit value, and can be written as a reference', (t) => {
  const literal = edited([{ op: 'set', path: ['repos', 'web', 'email', 'password'], value: 'typed-password' }]);
  t.match(literal.text, /password: typed-password +# kept in the environment/);
  t.notMatch(literal.text, /!env WEB_MAIL_PASSWORD/);
  const reference = edited([
    { op: 'set', path: ['repos', 'web', 'secrets', 'API_TOKEN'], value: '!env API_TOKEN?' },
    { op: 'set', path: ['repos', 'web', 'model'], value: '!var default_model' },
    { op: 'set', path: ['vars', 'default_model'], value: 'opus' },
  ]);
  t.match(reference.text, /API_TOKEN: !env API_TOKEN\?/);
  t.match(reference.text, /model: !var default_model/);
  t.match(reference.text, /mail_host: mail\.example\.com +# shared by both channels\n +default_model: opus/, 'a new key goes after the existing ones');
  const bad = edited([{ op: 'set', path: ['repos', 'web', 'model'], value: '!envv X' }]);
  t.same(bad.problems, ['repos.web.model: "!envv X" is not a reference; write "!env NAME", "!env NAME?" or "!var NAME", or a plain value']);
  t.match(bad.text, /model: sonnet/, 'a refused edit changes nothing');
  t.end();
});

t.test('numbers, booleans and lists are stored with the type the schema wants', (t) => {
  const { text } = edited([
    { op: 'set', path: ['dashboard', 'port'], value: '5300' },
    { op: 'set', path: ['execution', 'image_prune'], value: 'false' },
    { op: 'set', path: ['execution', 'max_image_age_hours'], value: '1.5' },
    { op: 'set', path: ['repos', 'web', 'email', 'authorized_senders'], value: ['alice@example.com', '*@corp.example.com'] },
    { op: 'set', path: ['repos', 'web', 'branch'], value: '123' },
    { op: 'set', path: ['repos', 'web', 'slack'], value: 'ignored' },
  ]);
  const data = parseDocument(text, { customTags: configTags }).toJS() as Record<string, Record<string, unknown>>;
  t.equal(data.dashboard?.port, 5300);
  t.equal(data.execution?.image_prune, false);
  t.equal(data.execution?.max_image_age_hours, 1.5);
  t.match(text, /authorized_senders:\n +- alice@example\.com\n +- "\*@corp\.example\.com"/);
  t.match(text, /branch: "123"/, 'a string key keeps digits as text');
  t.end();
});

t.test('add and remove repos and channels', async (t) => {
  const added = edited([
    { op: 'addRepo', id: 'api' },
    { op: 'set', path: ['repos', 'api', 'repo_url'], value: 'https://example.com/api.git' },
    { op: 'addObject', path: ['repos', 'api', 'slack'] },
    { op: 'set', path: ['repos', 'api', 'slack', 'bot_token'], value: '!env API_BOT_TOKEN' },
    { op: 'set', path: ['repos', 'api', 'slack', 'app_token'], value: '!env API_APP_TOKEN' },
    { op: 'set', path: ['repos', 'api', 'slack', 'authorized'], value: '[{workspace_members: true}]' },
  ]);
  t.same(added.problems, []);
  t.match(added.text, / {2}api:\n {4}repo_url: https:\/\/example\.com\/api\.git\n {4}slack:\n {6}bot_token: !env API_BOT_TOKEN\n {6}app_token: !env API_APP_TOKEN\n {6}authorized:\n {8}- workspace_members: true\n$/);
  const path = await configFile(t, added.text);
  const loaded = await loadConfig({ path, env: { ...SAMPLE_ENV, API_BOT_TOKEN: 'xoxb-1', API_APP_TOKEN: 'xapp-1' } });
  t.same(Object.keys(loaded.config.repos), ['web', 'api'], 'the loader accepts the result');

  const removed = edited([{ op: 'removeRepo', id: 'web' }]);
  t.notMatch(removed.text, /web/);
  t.match(removed.text, /# Airut on the build box/);
  t.match(removed.text, /repos: \{\}|^(?![\s\S]*repos:)/, 'repos is emptied');

  const problems = edited([{ op: 'addRepo', id: 'web' }, { op: 'addRepo', id: 'Bad Id' }, { op: 'removeRepo', id: 'nope' }]).problems;
  t.same(problems, [
    'repos.web: repo "web" already exists',
    'repos.Bad Id: invalid repo id "Bad Id": use lowercase letters, digits, "-" and "_", starting with a letter or digit, at most 64 characters',
    'repos.nope: repo "nope" is not in the file',
  ]);
  const channel = edited([{ op: 'delete', path: ['repos', 'web', 'email'] }]);
  t.notMatch(channel.text, /imap_server/);
  t.match(channel.text, / {4}secrets:\n {6}API_TOKEN:/);
});

t.test('new keys land in schema order whatever order the form was filled in; an empty flow mapping becomes a block', (t) => {
  const { text } = edited([
    { op: 'addRepo', id: 'api' },
    { op: 'addObject', path: ['repos', 'api', 'email'] },
    { op: 'set', path: ['repos', 'api', 'email', 'from'], value: 'Bot <bot@example.com>' },
    { op: 'set', path: ['repos', 'api', 'email', 'imap_server'], value: 'imap.example.com' },
    { op: 'set', path: ['repos', 'api', 'repo_url'], value: 'https://example.com/api.git' },
    { op: 'set', path: ['dashboard', 'port'], value: '5300' },
  ], '# mine\nrepos: {}   # filled in by the dashboard\n');
  t.equal(text, `# mine
dashboard:
  port: 5300
repos:
  api:
    repo_url: https://example.com/api.git
    email:
      imap_server: imap.example.com
      from: Bot <bot@example.com>
  # filled in by the dashboard
`, 'the header comment stays on top; the comment of the emptied "{}" moves below the block');
  t.end();
});

t.test('deleting the last key of a section with a default drops the empty section', (t) => {
  const { text } = edited([{ op: 'delete', path: ['execution', 'max_concurrent'] }, { op: 'delete', path: ['execution', 'container_env', 'CONTAINERS_CONF'] }]);
  t.notMatch(text, /execution/);
  t.match(text, /^# Airut on the build box\nconfig_version: 1\n/);
  t.end();
});

t.test('a first config starts from nothing', (t) => {
  const { text, problems } = edited([{ op: 'set', path: ['dashboard', 'port'], value: '5201' }, { op: 'addRepo', id: 'first' }], '');
  t.same(problems, []);
  t.equal(text, 'dashboard:\n  port: 5201\nrepos:\n  first: {}\n');
  t.end();
});

t.test('the result is checked with the loader\'s rules, per key', async (t) => {
  const path = await configFile(t);
  const preview = await previewConfigEdits({
    path, env: SAMPLE_ENV, baseHash: '',
    edits: [
      { op: 'set', path: ['dashboard', 'port'], value: '99999' },
      { op: 'set', path: ['execution', 'max_concurrent'], value: 'many' },
      { op: 'set', path: ['repos', 'web', 'email', 'imap_security'], value: 'tsl' },
      { op: 'set', path: ['repos', 'web', 'email', 'password'], value: '!env NOT_SET_ANYWHERE' },
    ],
  });
  t.same(preview.problems.map((problem) => `${problem.keyPath}: ${problem.message}`), [
    'repos.web.email.password: environment variable NOT_SET_ANYWHERE is not set (from !env NOT_SET_ANYWHERE); set it in the environment or in ' + path.replace(/airut\.yaml$/, '.env') + ', or write "!env NOT_SET_ANYWHERE?" if the key may be left out',
    'execution.max_concurrent: must be an integer, got "many"',
    'dashboard.port: must be at most 65535, got 99999',
    'repos.web.email.imap_security: must be one of "auto", "tls", "starttls", "none"; got "tsl" (did you mean "tls"?)',
  ]);
  t.ok(preview.problems.every((problem) => problem.line !== undefined), 'problems carry lines of the edited text');
});
