import t from 'tap';
import { parseDocument } from 'yaml';
import {
  buildFormModel, openConfigEditor, previewConfigEdits, saveConfigEdits, type FormField, type FormGroup, type FormMap, type FormNode,
} from '../../../../src/core/config/edit/index.js';
import { configTags } from '../../../../src/core/config/index.js';
import { configSchema } from '../../../../src/core/config/schema.js';
import { readFile } from 'node:fs/promises';
import { SAMPLE, SAMPLE_ENV, configFile } from './sample.js';

function find(node: FormNode, path: string[]): FormNode | undefined {
  let current: FormNode | undefined = node;
  for (const key of path) {
    if (current === undefined) return undefined;
    current = current.kind === 'group' ? current.children.find((child) => child.key === key)
      : current.kind === 'map' ? current.entries.find((entry) => entry.key === key)
        : undefined;
  }
  return current;
}

function field(node: FormNode, path: string[]): FormField {
  const found = find(node, path);
  if (found?.kind !== 'field') throw new Error(`no field at ${path.join('.')}`);
  return found;
}

t.test('the form follows the schema: sections, repos, channels, types, help, defaults', (t) => {
  const form = buildFormModel(configSchema().schema, parseDocument(SAMPLE, { customTags: configTags }));
  t.same(form.children.map((child) => child.key), ['execution', 'dashboard', 'network', 'vars', 'prices', 'repos'], 'top-level sections in schema order; config_version is not offered');
  t.equal(find(form, ['execution', 'container_command']), undefined, 'the container command is not editable from the browser');
  t.match(field(form, ['dashboard', 'port']), { input: 'integer', default: '5200', value: { state: 'unset', text: '' }, description: 'TCP port of the dashboard.' });
  t.match(field(form, ['execution', 'max_concurrent']), { input: 'integer', value: { state: 'literal', text: '2' } });
  t.match(field(form, ['execution', 'image_prune']), { input: 'boolean', default: 'true' });
  const repos = find(form, ['repos']) as FormMap;
  t.equal(repos.kind, 'map');
  t.match(repos, { keyPattern: '^[a-z0-9][a-z0-9_-]{0,63}$', keyHint: /repo id/ });
  t.equal(repos.template.kind, 'group', 'a new repo gets the repo form');
  const email = find(form, ['repos', 'web', 'email']) as FormGroup;
  t.match(email, { kind: 'group', optional: true, present: true });
  t.match(find(form, ['repos', 'web', 'slack']), { kind: 'group', optional: true, present: false });
  t.match(field(form, ['repos', 'web', 'email', 'imap_security']), { input: 'enum', options: ['auto', 'tls', 'starttls', 'none'], default: 'auto' });
  t.match(field(form, ['repos', 'web', 'email', 'authorized_senders']), { input: 'lines', required: true, value: { lines: ['alice@example.com'] } });
  t.match(field(form, ['repos', 'web', 'email', 'imap_server']), { value: { state: 'reference', text: '!var mail_host' } });
  t.match(field(form, ['repos', 'web', 'slack', 'authorized']), { input: 'yaml' });
  t.match(find(form, ['repos', 'web', 'resource_limits']), { kind: 'group', optional: false });
  t.end();
});

t.test('secrets are masked, references shown as written, nothing secret leaves the server', async (t) => {
  const path = await configFile(t);
  const model = await openConfigEditor({ path, env: SAMPLE_ENV });
  const form = model.form as FormGroup;
  t.match(field(form, ['repos', 'web', 'email', 'password']), { secret: true, value: { state: 'reference', text: '!env WEB_MAIL_PASSWORD' } });
  t.match(field(form, ['repos', 'web', 'secrets', 'API_TOKEN']), { secret: true, value: { state: 'masked', text: '••••••••cdef' } });
  const json = JSON.stringify(model);
  t.notMatch(json, /tok-literal-0123456789/, 'the literal secret is not in the model');
  t.notMatch(json, /pw-from-env/, 'an !env value is never resolved into the model');

  const preview = await previewConfigEdits({ path, env: SAMPLE_ENV, baseHash: model.hash, edits: [{ op: 'set', path: ['repos', 'web', 'secrets', 'API_TOKEN'], value: 'tok-new-secret-9999aaaa' }] });
  t.notMatch(preview.diff, /tok-literal|tok-new-secret/, 'neither the old nor the new secret is in the diff');
  t.match(preview.diff, /- {6}API_TOKEN: ••••••••cdef\n\+ {6}API_TOKEN: ••••••••aaaa\n/);
});

t.test('a masked field left untouched keeps the stored value', async (t) => {
  const path = await configFile(t);
  const model = await openConfigEditor({ path, env: SAMPLE_ENV });
  await saveConfigEdits({ path, env: SAMPLE_ENV, baseHash: model.hash, edits: [{ op: 'set', path: ['repos', 'web', 'model'], value: 'opus' }] });
  const text = await readFile(path, 'utf8');
  t.match(text, /API_TOKEN: tok-literal-0123456789abcdef/);
  t.match(text, /password: !env WEB_MAIL_PASSWORD/);
  t.equal(text, SAMPLE.replace('model: sonnet', 'model: opus'), 'nothing but the edited line changed');
});

t.test('a key added to the schema appears in the form without editor changes', (t) => {
  const schema = structuredClone(configSchema().schema) as { $defs: { dashboard: { properties: Record<string, unknown> } } };
  schema.$defs.dashboard.properties.theme = { description: 'Colour scheme of the dashboard.', type: 'string', enum: ['light', 'dark'], default: 'light' };
  schema.$defs.dashboard.properties.session_secret = { description: 'Signs cookies.', type: 'string' };
  const form = buildFormModel(schema, parseDocument('dashboard:\n  session_secret: abcdefghijklmnop\n', { customTags: configTags }));
  t.match(field(form, ['dashboard', 'theme']), { input: 'enum', options: ['light', 'dark'], default: 'light', description: 'Colour scheme of the dashboard.' });
  t.match(field(form, ['dashboard', 'session_secret']), { secret: true, value: { state: 'masked', text: '••••••••mnop' } }, 'a secret-sounding name is masked even without x-secret');
  t.end();
});
