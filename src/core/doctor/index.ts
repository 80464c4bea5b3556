/**
 * `airut check`: plain functions that inspect the host (version, config,
 * container runtime, git, service) and return data; the command renders it.
 */
export { runChecks, type DoctorDeps } from './run-checks.js';
export { formatReport, type FormatOptions } from './format-report.js';
export type { CheckResult, DoctorReport, SectionResult, Severity } from './report.js';
export type { ProcessOutcome, ProcessRunner } from '../process/index.js';
export type { FetchLike } from './version-section.js';
export { FIXING_CONTAINERS_CONF, diagnoseProbeFailure, type KnownProbeFailure } from './probe-diagnosis.js';
export { engineFailureAdvice, type EngineAdviceContext, type EngineFailureAdvice } from './engine-failure-advice.js';
export { MIN_RUNTIME_VERSION } from './runtime-section.js';
export { MIN_GIT_VERSION } from './git-section.js';
