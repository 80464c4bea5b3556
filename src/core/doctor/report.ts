/**
 * How much a failing check matters: a failing `critical` check makes `airut check`
 * exit 1; `warning` and `info` checks only inform.
 */
export type Severity = 'critical' | 'warning' | 'info';

/** The outcome of one check, as `airut check --json` prints it. */
export interface CheckResult {
  /** Short label, e.g. `Git` or `Container start`. */
  name: string;
  /** Whether the check passed. */
  ok: boolean;
  severity: Severity;
  /** What was found, on one line where possible. */
  detail: string;
  /** How to fix a failure (or act on a notice); `null` when there is nothing to do. */
  fix: string | null;
}

/** A titled group of checks. */
export interface SectionResult {
  name: string;
  checks: CheckResult[];
}

/** Everything `airut check` found; `ok` is true when every critical check passed. */
export interface DoctorReport {
  ok: boolean;
  sections: SectionResult[];
}

/** A check that passed. */
export function passed(name: string, severity: Severity, detail: string, fix: string | null = null): CheckResult {
  return { name, ok: true, severity, detail, fix };
}

/** A check that failed, with the fix to apply. */
export function failed(name: string, severity: Severity, detail: string, fix: string | null): CheckResult {
  return { name, ok: false, severity, detail, fix };
}

/** Assembles the report; only critical checks decide `ok`. */
export function buildReport(sections: SectionResult[]): DoctorReport {
  const ok = sections.every((section) => section.checks.every((check) => check.ok || check.severity !== 'critical'));
  return { ok, sections };
}
