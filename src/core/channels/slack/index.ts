/**
 * The Slack channel: a Socket Mode app per repo (direct messages and
 * @-mentions), user authorization, Markdown to mrkdwn, and the map from Slack
 * threads to conversations.
 */
export { SlackChannel, GREETING, WORKING_STATUS, SUGGESTED_PROMPTS, type SlackChannelOptions, type RejectedSlackMessage } from './slack-channel.js';
export { SlackChannelError, type SlackChannelErrorCode } from './error.js';
export { SlackAuthorizer, type SlackAuthorizerOptions, type SlackUser, type AuthorizationVerdict } from './authorizer.js';
export { markdownToMrkdwn } from './mrkdwn.js';
export { resolveInbound, rewriteOutbound, type MentionDirectory } from './mentions.js';
export { splitReply, SLACK_TEXT_LIMIT, MAX_REPLY_POSTS } from './split-reply.js';
export { ThreadStore, threadKey, THREAD_STORE_FILE } from './thread-store.js';
export { displayWidth } from './text-width.js';
export type { SlackApiCall } from './slack-api.js';
export { SlackPlanStream, PLAN_END_WAIT_MS, PLAN_UPDATE_INTERVAL_MS, type PlanTimers, type PlanStreamOptions } from './plan-stream.js';
export { renderPlan, planStatus, type PlanMessage } from './plan-text.js';
