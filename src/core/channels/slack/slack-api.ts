/**
 * The one way this channel talks to the Web API: a method name and its
 * arguments in, the parsed JSON answer out (errors thrown by the client).
 * Bolt's `WebClient.apiCall` fits it and handles rate limits by waiting for
 * `Retry-After`.
 */
export type SlackApiCall = (method: string, args: Record<string, unknown>) => Promise<Record<string, unknown>>;
