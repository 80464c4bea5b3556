import { commandPageName, titleLine } from './command-page.js';
import type { ManCommand, ManProgram } from './model.js';
import { bold, italic, paragraphs, roffLiteral, roffText, taggedParagraph } from './roff.js';

/** Renders the program's top-level page (`airut.1`): commands, files, environment. */
export function renderProgramPage(
  program: ManProgram,
  commands: readonly ManCommand[],
  files: Record<string, string>,
  environment: Record<string, string>,
  configPage: string,
): string {
  const lines: string[] = [
    titleLine(program.name, 1, program),
    '.SH NAME',
    `${roffLiteral(program.name)} \\- ${roffText(program.summary)}`,
    '.SH SYNOPSIS',
    `${bold(program.name)} ${italic('COMMAND')} [\\fIOPTIONS\\fR]`,
    '.br',
    `${bold(`${program.name} --help`)} | ${bold(`${program.name} --version`)} | ${bold(`${program.name} help`)} ${italic('COMMAND')}`,
    '.SH DESCRIPTION',
    ...paragraphs(program.description),
    '.SH COMMANDS',
    ...commands.flatMap((command) =>
      taggedParagraph(bold(`${program.name} ${command.id}`), `${command.summary} See ${commandPageName(program, command).replace(/\.1$/, '(1)')}.`),
    ),
    '.SH EXIT STATUS',
    ...taggedParagraph(bold('0'), 'Success.'),
    ...taggedParagraph(bold('1'), 'Failure; each command page lists its own codes.'),
    '.SH ENVIRONMENT',
    ...Object.entries(environment).flatMap(([variable, text]) => taggedParagraph(bold(variable), text)),
    '.SH FILES',
    ...Object.entries(files).flatMap(([path, text]) => taggedParagraph(italic(path), text)),
    '.SH SEE ALSO',
    [...commands.map((command) => commandPageName(program, command).replace(/\.1$/, '(1)')), configPage].map(roffText).join(', '),
  ];
  return `${lines.join('\n')}\n`;
}
