/**
 * The repository's network allowlist: parsing and validating
 * `.airut/network-allowlist.yaml`, and deciding (with an explanation) whether a
 * request may leave the sandbox. Pure logic: no I/O, no sockets.
 */
export { Allowlist, describeRule, type AllowlistDocument, type AllowlistRule, type DomainRule, type GraphqlOperations, type UrlPrefixRule } from './allowlist.js';
export { approvalRules, describeApprovalRule, findApproval, findApprovalProblem, targetPath, type ApprovalDocument, type ApprovalRule } from './approval-overlay.js';
export { AllowlistError, type AllowlistErrorCode, type AllowlistProblem } from './error.js';
export { explainRequest, type Decision, type RequestToCheck } from './explain.js';
export { ALLOWLIST_METHODS, allowlistFromObject, checkHostPattern, serializeAllowlist } from './validate.js';
export { parseAllowlist } from './parse.js';
export { compilePattern, findPatternProblem, hasGlobCharacters, isWildcardPattern, matchPattern, type CompileOptions, type PatternMatcher } from './pattern.js';
export { normalizeRequestHost, normalizeRequestPath, type NormalizedHost, type NormalizedPath } from './request-target.js';
