import { Config, type Command } from '@oclif/core';
import type { ManArg, ManCommand, ManFlag } from './model.js';

/**
 * Extra facts a command class may declare for its manual page. oclif has no
 * place for them, so commands set these static fields next to `flags`.
 */
export interface ManualFacts {
  exitCodes?: Record<string, string>;
  environment?: Record<string, string>;
  files?: Record<string, string>;
}

type FlagLike = Command.Flag.Any & { env?: string; options?: readonly string[]; helpValue?: string | string[]; default?: unknown };

function describeDefault(value: unknown): string | undefined {
  if (value === undefined || typeof value === 'function' || value === false) return undefined;
  if (Array.isArray(value)) return value.join(', ');
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
}

function toManFlag(name: string, flag: FlagLike): ManFlag {
  const helpValue = Array.isArray(flag.helpValue) ? flag.helpValue.join(' ') : flag.helpValue;
  return {
    name,
    ...(flag.char ? { char: flag.char } : {}),
    description: flag.description ?? flag.summary ?? '',
    ...(flag.type === 'option' ? { valueName: helpValue ?? name.toUpperCase() } : {}),
    ...(flag.options?.length ? { options: flag.options } : {}),
    ...(describeDefault(flag.default) !== undefined ? { defaultValue: describeDefault(flag.default) } : {}),
    ...(flag.env ? { env: flag.env } : {}),
  };
}

function examplesOf(examples: Command.Example[] | undefined, bin: string, id: string): string[] {
  return (examples ?? []).map((example) => {
    const text = typeof example === 'string' ? example : `${example.description}\n${example.command}`;
    return text.replace(/<%= config\.bin %>/g, bin).replace(/<%= command\.id %>/g, id);
  });
}

/** Loads the oclif commands of the package at `root` and turns them into manual data. */
export async function collectCommands(root: string): Promise<ManCommand[]> {
  const config = await Config.load(root);
  const commands: ManCommand[] = [];
  for (const loadable of config.commands.filter((command) => command.pluginName === config.name && !command.hidden)) {
    const cls = (await loadable.load()) as Command.Class & ManualFacts;
    const id = loadable.id.replace(/:/g, ' ');
    const flags = Object.entries({ ...(cls.baseFlags ?? {}), ...(cls.flags ?? {}) })
      .filter(([, flag]) => !flag.hidden)
      .map(([name, flag]) => toManFlag(name, flag as FlagLike));
    if (cls.enableJsonFlag && !flags.some((flag) => flag.name === 'json')) {
      flags.push({ name: 'json', description: 'Print the result as JSON on stdout.' });
    }
    const args: ManArg[] = Object.entries(cls.args ?? {}).map(([name, arg]) => ({
      name,
      description: arg.description ?? '',
      required: Boolean(arg.required),
    }));
    commands.push({
      id,
      summary: cls.summary ?? cls.description?.split('\n')[0] ?? '',
      description: cls.description ?? '',
      flags,
      args,
      examples: examplesOf(cls.examples, config.bin, id),
      exitCodes: cls.exitCodes ?? {},
      environment: cls.environment ?? {},
      files: cls.files ?? {},
    });
  }
  return commands.sort((a, b) => a.id.localeCompare(b.id));
}
