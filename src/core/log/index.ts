export { Logger, formatLogRecord } from './logger.js';
export type { LogLevel, LogRecord, LogSink } from './logger.js';
