#!/usr/bin/env node
// Writes oclif.manifest.json from the built commands in dist/commands. With
// the manifest, oclif learns every command's flags and help from one JSON
// file instead of importing all commands (and everything they import) on each
// start. `npm run build` runs this right after tsc, so the manifest is never
// older than dist/; it is not committed.
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Plugin } from '@oclif/core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// ignoreManifest: never read an old manifest back; errorOnManifestCreate: a
// command that fails to load fails the build instead of vanishing from it.
const plugin = new Plugin({ root, type: 'core', isRoot: true, ignoreManifest: true, errorOnManifestCreate: true, respectNoCacheDefault: true });
await plugin.load();
const ids = Object.keys(plugin.manifest.commands);
if (ids.length === 0) throw new Error(`no commands found under ${join(root, 'dist', 'commands')}: run tsc first`);
await writeFile(join(root, 'oclif.manifest.json'), `${JSON.stringify(plugin.manifest, null, 2)}\n`);
console.log(`wrote oclif.manifest.json (${ids.length} commands)`);
