export type { RunEvent, RunEventSink, RunPhase } from './run-event.js';
