/**
 * The web dashboard: JSON API, live event streams (SSE) and server-rendered
 * pages over a {@link DashboardSource} supplied by the running service.
 */
export { startDashboard } from './server.js';
export type { Dashboard, DashboardOptions } from './server.js';
export type { DashboardState } from './state.js';
export type { RepoView, TaskCounts, ChannelView, RejectedMessageView, RepoErrorView, ScheduleView, HealthView, HealthProblem, HealthStatus } from './views.js';
export type { DashboardSource, DashboardEvent, TaskView, StopResult, RunScheduleResult, HoldView, HoldAnswerResult, ApprovalTarget, RevokeApprovalResult, ConfigStatus, ConversationView, ReplyView, TaskRecordView, NetworkLineView, PlanItemView } from './source.js';
export { ConversationHistory, type ConversationHistoryOptions, type StoredConversation } from './history.js';
export { sourceFromState } from './state-source.js';
export { SseHub, type SseHubOptions } from './sse-hub.js';
export { formatSseMessage, formatSseComment, type SseMessage } from './sse.js';
export { checkSameOrigin, checkHost, REQUEST_HEADER } from './request-guard.js';
export { DashboardError, EXIT_PORT_IN_USE } from './errors.js';
