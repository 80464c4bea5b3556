import type { ManCommand, ManFlag, ManProgram } from './model.js';
import { bold, italic, paragraphs, roffLiteral, roffText, taggedParagraph } from './roff.js';

/** File name of a command's page, e.g. `airut-sandbox-exec.1`. */
export function commandPageName(program: ManProgram, command: ManCommand): string {
  return `${program.name}-${command.id.replace(/ /g, '-')}.1`;
}

/** The `.TH` header line shared by every page. */
export function titleLine(name: string, section: number, program: ManProgram): string {
  return `.TH ${roffLiteral(name.toUpperCase())} ${section} "" "${program.name} ${program.version}" "Airut Manual"`;
}

function flagTag(flag: ManFlag): string {
  const names = [flag.char ? bold(`-${flag.char}`) : '', bold(`--${flag.name}`)].filter(Boolean).join(', ');
  return flag.valueName ? `${names} ${italic(flag.valueName)}` : names;
}

function flagText(flag: ManFlag): string {
  const extra: string[] = [];
  if (flag.options?.length) extra.push(`One of: ${flag.options.join(', ')}.`);
  if (flag.defaultValue !== undefined) extra.push(`Default: ${flag.defaultValue}.`);
  if (flag.env) extra.push(`Also read from $${flag.env}.`);
  return [flag.description, ...extra].filter(Boolean).join(' ');
}

function synopsis(program: ManProgram, command: ManCommand): string[] {
  const parts = [bold(`${program.name} ${command.id}`)];
  if (command.flags.length > 0) parts.push('[\\fIOPTIONS\\fR]');
  for (const arg of command.args) {
    parts.push(arg.required ? italic(arg.name.toUpperCase()) : `[${italic(arg.name.toUpperCase())}]`);
  }
  return [parts.join(' ')];
}

function definitionList(entries: Record<string, string>, tag: (key: string) => string): string[] {
  return Object.entries(entries).flatMap(([key, text]) => taggedParagraph(tag(key), text));
}

/** Renders one command's manual page (section 1) as roff text. */
export function renderCommandPage(program: ManProgram, command: ManCommand, seeAlso: string[]): string {
  const name = `${program.name}-${command.id.replace(/ /g, '-')}`;
  const lines: string[] = [
    titleLine(name, 1, program),
    '.SH NAME',
    `${roffLiteral(name)} \\- ${roffText(command.summary)}`,
    '.SH SYNOPSIS',
    ...synopsis(program, command),
    '.SH DESCRIPTION',
    ...paragraphs(command.description || command.summary),
  ];
  if (command.args.length > 0) {
    lines.push('.SH ARGUMENTS', ...command.args.flatMap((arg) => taggedParagraph(italic(arg.name.toUpperCase()), arg.description)));
  }
  if (command.flags.length > 0) {
    lines.push('.SH OPTIONS', ...command.flags.flatMap((flag) => taggedParagraph(flagTag(flag), flagText(flag))));
  }
  if (Object.keys(command.exitCodes).length > 0) {
    lines.push('.SH EXIT STATUS', ...definitionList(command.exitCodes, (code) => bold(code)));
  }
  if (Object.keys(command.environment).length > 0) {
    lines.push('.SH ENVIRONMENT', ...definitionList(command.environment, (variable) => bold(variable)));
  }
  if (Object.keys(command.files).length > 0) {
    lines.push('.SH FILES', ...definitionList(command.files, (path) => italic(path)));
  }
  if (command.examples.length > 0) {
    lines.push('.SH EXAMPLES', ...command.examples.flatMap((example) => ['.PP', '.nf', roffText(example), '.fi']));
  }
  lines.push('.SH SEE ALSO', seeAlso.map((page) => roffText(page)).join(', '));
  return `${lines.join('\n')}\n`;
}
