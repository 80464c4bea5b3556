import type { CheckResult, DoctorReport } from './report.js';

/** How to render the report for people. */
export interface FormatOptions {
  /** Use ANSI colours (only for a terminal, and not with NO_COLOR or TERM=dumb). */
  color: boolean;
}

const MARKS = { pass: '✓', critical: '✗', warning: '!', info: '-' } as const;
const COLORS = { pass: 32, critical: 31, warning: 33, info: 36 } as const;

function tone(check: CheckResult): keyof typeof MARKS {
  return check.ok ? 'pass' : check.severity;
}

/**
 * The report as text: one line per check with a mark (✓ passed, ✗ critical
 * failure, ! warning, - note), continuation lines and the fix indented below,
 * and a closing verdict.
 */
export function formatReport(report: DoctorReport, options: FormatOptions): string {
  const paint = (code: number, text: string): string => (options.color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const bold = (text: string): string => (options.color ? `\u001b[1m${text}\u001b[0m` : text);
  const lines: string[] = [];
  for (const section of report.sections) {
    if (lines.length > 0) lines.push('');
    lines.push(bold(section.name));
    for (const check of section.checks) {
      const [first = '', ...rest] = check.detail.split('\n');
      const kind = tone(check);
      lines.push(`  ${paint(COLORS[kind], MARKS[kind])} ${check.name}: ${first}`);
      for (const line of rest) lines.push(`      ${line}`);
      if (check.fix !== null && (!check.ok || check.severity === 'info')) {
        const [fixFirst = '', ...fixRest] = check.fix.split('\n');
        lines.push(`    ${paint(COLORS[kind], '→')} ${fixFirst}`);
        for (const line of fixRest) lines.push(`      ${line}`);
      }
    }
  }
  const failures = report.sections.flatMap((section) => section.checks).filter((check) => !check.ok && check.severity === 'critical');
  lines.push('');
  lines.push(report.ok
    ? paint(COLORS.pass, 'All critical checks passed.')
    : paint(COLORS.critical, `${failures.length} critical check${failures.length === 1 ? '' : 's'} failed: ${failures.map((check) => check.name).join(', ')}.`));
  return `${lines.join('\n')}\n`;
}
