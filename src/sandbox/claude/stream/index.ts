/**
 * Claude Code's stream-json output: splitting it into lines, parsing the lines
 * into typed events, classifying how a run ended and folding it into a result.
 */
export type {
  AssistantEvent,
  ClaudeEvent,
  ContentBlock,
  JsonObject,
  OtherBlock,
  ResultEvent,
  SystemEvent,
  TextBlock,
  ThinkingBlock,
  TokenUsage,
  ToolResultBlock,
  ToolUseBlock,
  UnknownEvent,
  UserEvent,
} from './events.js';
export { parseStreamJsonLine } from './parse-line.js';
export { StreamJsonSplitter, splitLines } from './stream-json-splitter.js';
export { classifyOutcome, OUTCOMES, type BudgetExceeded, type Outcome, type OutcomeInput } from './outcome.js';
export { NO_OUTPUT_TEXT, selectResponseText, summarizeError } from './response-text.js';
export { buildExecutionResult, describeBudget, type ExecutionFacts, type ExecutionResult } from './execution-result.js';
export type { CommandResult } from './command-result.js';
