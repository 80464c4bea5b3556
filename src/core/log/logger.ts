/** Severity of a log record. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** One structured log record. `fields` values must already be free of secrets. */
export interface LogRecord {
  time: Date;
  level: LogLevel;
  message: string;
  fields: Record<string, string | number | boolean | undefined>;
}

/** Where records go; the command layer decides how they are printed. */
export type LogSink = (record: LogRecord) => void;

/** A small structured logger bound to a sink and a clock. */
export class Logger {
  constructor(
    private readonly sink: LogSink,
    private readonly clock: () => Date = () => new Date(),
    private readonly base: LogRecord['fields'] = {},
  ) {}

  /** A logger that adds `fields` to every record. */
  child(fields: LogRecord['fields']): Logger {
    return new Logger(this.sink, this.clock, { ...this.base, ...fields });
  }

  debug(message: string, fields: LogRecord['fields'] = {}): void {
    this.write('debug', message, fields);
  }

  info(message: string, fields: LogRecord['fields'] = {}): void {
    this.write('info', message, fields);
  }

  warn(message: string, fields: LogRecord['fields'] = {}): void {
    this.write('warn', message, fields);
  }

  error(message: string, fields: LogRecord['fields'] = {}): void {
    this.write('error', message, fields);
  }

  private write(level: LogLevel, message: string, fields: LogRecord['fields']): void {
    this.sink({ time: this.clock(), level, message, fields: { ...this.base, ...fields } });
  }
}

/** Renders a record as one `logfmt`-style line. */
export function formatLogRecord(record: LogRecord): string {
  const parts = [record.time.toISOString(), record.level.toUpperCase().padEnd(5), record.message];
  for (const [key, value] of Object.entries(record.fields)) {
    if (value === undefined) continue;
    const text = String(value);
    parts.push(`${key}=${/[\s"=]/.test(text) || text === '' ? JSON.stringify(text) : text}`);
  }
  return parts.join(' ');
}
