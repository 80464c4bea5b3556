/**
 * The gateway: channel messages in, sandboxed Claude runs, replies out. One
 * {@link RepoHandler} per repo, a shared concurrency limit, a task tracker,
 * and `startService` wiring it all for `airut serve`.
 */
export { startService } from './service.js';
export { SERVICE_RESOURCE_PREFIX } from './service.js';
export type { Service, ServiceOptions, RunnerFactory } from './service.js';
export { RepoRuntime, serviceSandbox, type RepoRuntimeContext, type RepoStorage, type ServerScope } from './repo-runtime.js';
export { RepoSupervisor, type RepoSupervisorOptions, type FailedRepo } from './repo-supervisor.js';
export { watchConfigFile, type ConfigWatcher, type ConfigWatcherOptions } from './config-watcher.js';
export { diffConfig, sameRuntime, type ConfigChanges } from './config-diff.js';
export { ServiceDashboard, type ServiceDashboardOptions } from './service-dashboard.js';
export { resolveDashboardAddress } from './dashboard-address.js';
export type { DashboardAddress } from './dashboard-address.js';
export { GatewayError, type GatewayErrorCode } from './error.js';
export { RepoHandler, type RepoHandlerOptions, type RepoSettings, type GatewayRunEvent } from './repo-handler.js';
export { ConcurrencyLimit, type ReleaseSlot } from './concurrency-limit.js';
export { ConversationQueue, type Placement } from './conversation-queue.js';
export { TaskTracker, type TaskCounts, type TaskState, type TrackedTask, type CompletionReason, type NewTask, type TaskTrackerOptions } from './task-tracker.js';
export { MessageLedger, type LedgerEntry } from './message-ledger.js';
export { Redactor, REDACTED, configSecrets } from './redactor.js';
export { mirrorFiles } from './mirror-files.js';
export { SandboxTaskRunner, maskedSecretsOf, type SandboxTaskRunnerOptions } from './sandbox-task-runner.js';
export { defaultChannels, repoSettings, type ChannelFactory, type ChannelContext } from './repo-wiring.js';
export { startHousekeeping, type Housekeeping, type HousekeepingOptions, type HousekeepingPass, type HousekeepingTimers } from './housekeeping.js';
export { housekeepingPass, pruneClaudeBinaries, type HousekeepingPassOptions, type HousekeepingRepo } from './housekeeping-pass.js';
export type { CommandRequest, TaskRequest, TaskRunner } from './task-runner.js';
export { runScheduledTask, scheduledPrompt, type ScheduledTask, type ScheduledPromptContext } from './scheduled-run.js';
export { repoScheduler, scheduledTask, SCHEDULE_STATE_FILE, type SchedulerSettings } from './repo-schedules.js';
export { buildPrompt, buildRecoveryPrompt, channelContext, formatEntries, type PromptContext, type PromptEntry } from './prompt.js';
export { planReply, type ReplyPlan, type ReplySettings } from './reply-plan.js';
export { acknowledgementText, timeoutText, interruptedText, stoppedText, failureText, proxyFailureText, internalErrorText, usageFooter, EMPTY_MESSAGE_TEXT } from './reply-text.js';
export { saveAttachments } from './save-attachments.js';
export { gatewaySource, taskView, type GatewaySource, type GatewaySourceOptions } from './dashboard-source.js';
export { readOutbox, clearOutbox, type OutboxContents } from './outbox.js';
