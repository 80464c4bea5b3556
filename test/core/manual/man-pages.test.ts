import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import t from 'tap';
import { buildManPages } from '../../../src/core/manual/index.js';

const root = join(import.meta.dirname, '..', '..', '..');
const manDir = join(root, 'man');
const pages = await buildManPages(root);

t.test('man/ matches the command metadata and the schema', async (t) => {
  const committed = (await readdir(manDir)).sort();
  t.same(committed, [...pages.keys()].sort(), 'same set of pages; run `npm run build && npm run generate:man`');
  for (const [name, text] of pages) {
    const onDisk = await readFile(join(manDir, name), 'utf8');
    t.equal(onDisk, text, `man/${name} is current; run \`npm run build && npm run generate:man\``);
  }
});

t.test('every command has a page and package.json installs them all', async (t) => {
  const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { man: string[] };
  t.same([...pkg.man].sort(), [...pages.keys()].map((name) => `./man/${name}`).sort());
  t.ok(pages.has('airut.1'));
  t.ok(pages.has('airut-check.1'));
  t.ok(pages.has('airut.yaml.5'));
});

t.test('each page renders with groff without warnings', async (t) => {
  for (const name of pages.keys()) {
    const result = await execa('groff', ['-man', '-Tutf8', '-ww', '-z', join(manDir, name)], { reject: false });
    t.equal(result.exitCode, 0, `${name} exit code`);
    t.equal(result.stderr, '', `${name} has no groff warnings`);
    const rendered = await execa('man', ['-l', join(manDir, name)], { env: { MANPAGER: 'cat', MANWIDTH: '80' }, reject: false });
    t.equal(rendered.exitCode, 0, `man -l ${name}`);
    t.match(rendered.stdout, /NAME/, `${name} shows a NAME section`);
  }
});
