/**
 * The cron dialect of `repos.<id>.schedules.<name>.cron`: exactly five
 * numeric fields (minute, hour, day of month, month, day of week), each a
 * comma list of `*`, `N`, `N-M`, `*\/S`, `N-M/S` or `N/S` (N up to the field's
 * maximum, step S). No names, no `?`, `L`, `W` or `#`, no seconds.
 *
 * Day of week is 0-6 with Sunday 0; `7` is read as Sunday too, but a range
 * may not end at 7 (`5-7` is rejected: write `5,6,0` or `0,5-6`), because
 * after 7 becomes 0 such a range would run backwards.
 */

/** One parsed cron expression: the allowed values of each field. */
export interface CronFields {
  minutes: ReadonlySet<number>;
  hours: ReadonlySet<number>;
  daysOfMonth: ReadonlySet<number>;
  months: ReadonlySet<number>;
  /** 0-6, Sunday 0. */
  daysOfWeek: ReadonlySet<number>;
  /**
   * Both day fields are written as something other than `*` (even `*\/1`
   * counts): a day then matches when EITHER field matches, as in Vixie cron.
   * Otherwise both must match.
   */
  dayOr: boolean;
}

/** A cron expression that is not valid, with why. */
export class CronSyntaxError extends Error {
  constructor(readonly expression: string, readonly problem: string) {
    super(`invalid cron expression ${JSON.stringify(expression)}: ${problem}`);
    this.name = 'CronSyntaxError';
  }
}

interface FieldSpec {
  name: string;
  min: number;
  max: number;
}

const FIELDS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 7 },
];

const ELEMENT = /^(?:(\*)|(\d{1,2})(?:-(\d{1,2}))?)(?:\/(\d{1,3}))?$/;

/** Parses `expression`; throws {@link CronSyntaxError} naming the field and what would be valid. */
export function parseCron(expression: string): CronFields {
  const parts = expression.trim().split(/\s+/).filter((p) => p !== '');
  if (parts.length !== 5) {
    throw new CronSyntaxError(expression, `must have 5 fields (minute hour day-of-month month day-of-week), got ${parts.length}`);
  }
  const sets = parts.map((field, index) => parseField(expression, field, FIELDS[index] as FieldSpec));
  const [minutes, hours, daysOfMonth, months, daysOfWeek] = sets as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  if (daysOfWeek.delete(7)) daysOfWeek.add(0);
  return { minutes, hours, daysOfMonth, months, daysOfWeek, dayOr: parts[2] !== '*' && parts[4] !== '*' };
}

/** Why `expression` is not a valid cron expression, or undefined when it is. */
export function cronProblem(expression: string): string | undefined {
  try {
    parseCron(expression);
    return undefined;
  } catch (error) {
    if (error instanceof CronSyntaxError) return error.problem;
    throw error;
  }
}

function parseField(expression: string, field: string, spec: FieldSpec): Set<number> {
  const values = new Set<number>();
  const fail = (why: string): never => {
    throw new CronSyntaxError(expression, `${spec.name} field ${JSON.stringify(field)}: ${why}`);
  };
  for (const element of field.split(',')) {
    const match = ELEMENT.exec(element);
    if (match === null) fail(`expected *, N, N-M, */S, N-M/S or N/S with numbers only (${spec.min}-${spec.max === 7 ? 6 : spec.max})`);
    const [, star, from, to, stepText] = match as RegExpExecArray;
    const step = stepText === undefined ? 1 : Number(stepText);
    if (step < 1) fail('step must be at least 1');
    let start = spec.min;
    let end = spec.max === 7 ? 6 : spec.max;
    if (star === undefined) {
      start = Number(from);
      // `N/S` runs from N to the field's end; plain `N` is that one value.
      end = to !== undefined ? Number(to) : stepText !== undefined ? end : start;
      for (const n of [start, end]) {
        if (n < spec.min || n > spec.max) fail(`values must be between ${spec.min} and ${spec.max === 7 ? '6 (7 also means Sunday)' : spec.max}`);
      }
      if (spec.max === 7 && to !== undefined && end === 7 && start !== 7) {
        fail(`a day-of-week range cannot end at 7 (Sunday is 0); write it as ${start === 0 ? '*' : `${start}-6,0`}`);
      }
      if (start > end) fail(`range start ${start} is after its end ${end}`);
    }
    for (let n = start; n <= end; n += step) values.add(n);
  }
  return values;
}
