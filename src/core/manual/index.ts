import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { collectCommands } from './collect.js';
import { commandPageName, renderCommandPage } from './command-page.js';
import { renderConfigPage, type SchemaNode } from './config-page.js';
import type { ManProgram } from './model.js';
import { renderProgramPage } from './program-page.js';

export type { ManualFacts } from './collect.js';
export type { ManCommand, ManFlag, ManArg, ManProgram } from './model.js';

const DESCRIPTION = `Airut runs Claude Code headless inside throw-away Podman (or Docker) containers on the operator's own machine. People send instructions by email or Slack; each conversation gets its own git workspace, a network allowlist enforced by a transparent TLS-intercepting proxy, and credentials that never enter the container. The answer comes back in the same thread, and a reply continues the same Claude session.

The same sandbox is available from the command line (airut sandbox exec) and as a library.`;

const FILES: Record<string, string> = {
  '~/.config/airut/airut.yaml': 'The server configuration ($XDG_CONFIG_HOME/airut/airut.yaml). See airut.yaml(5).',
  '~/.config/airut/.env': 'Variables for !env tags, read without overriding the real environment.',
  '~/.local/state/airut/': 'Conversations, workspaces and logs ($XDG_STATE_HOME/airut).',
  '~/.cache/airut/': 'Cached Claude Code binaries and build state ($XDG_CACHE_HOME/airut).',
  '~/.local/share/airut/ca/': "Airut's certificate authority for the network sandbox ($XDG_DATA_HOME/airut/ca).",
};

const ENVIRONMENT: Record<string, string> = {
  AIRUT_CONFIG: 'Path of the server configuration, instead of the default.',
  XDG_CONFIG_HOME: 'Base directory of the configuration (default ~/.config).',
  XDG_STATE_HOME: 'Base directory of state (default ~/.local/state).',
  XDG_CACHE_HOME: 'Base directory of caches (default ~/.cache).',
  XDG_DATA_HOME: 'Base directory of data (default ~/.local/share).',
  CONTAINERS_CONF: "Passed through to podman: an alternative containers.conf (see airut-check(1)).",
};

/**
 * Builds every manual page of the package at `root` from its oclif command
 * metadata and `airut.schema.json`. Returns file name -> roff text.
 */
export async function buildManPages(root: string): Promise<Map<string, string>> {
  const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { name: string; version: string; description: string };
  const schema = JSON.parse(await readFile(join(root, 'airut.schema.json'), 'utf8')) as SchemaNode;
  const program: ManProgram = { name: pkg.name, version: pkg.version, summary: pkg.description, description: DESCRIPTION };
  const commands = await collectCommands(root);
  const configPage = `${program.name}.yaml(5)`;
  const pages = new Map<string, string>();
  pages.set(`${program.name}.1`, renderProgramPage(program, commands, FILES, ENVIRONMENT, configPage));
  for (const command of commands) {
    pages.set(commandPageName(program, command), renderCommandPage(program, command, [`${program.name}(1)`, configPage]));
  }
  pages.set(`${program.name}.yaml.5`, renderConfigPage(program, schema, FILES_CONFIG_PATH));
  return pages;
}

const FILES_CONFIG_PATH = '~/.config/airut/airut.yaml';
