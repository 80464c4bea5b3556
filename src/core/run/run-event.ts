// The run event stream is the task pipeline's; the name stays for the front ends that import it from here.
export type { RunEvent, RunEventSink, RunPhase } from '../pipeline/task-event.js';
