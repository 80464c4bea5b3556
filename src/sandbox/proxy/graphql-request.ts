/**
 * Reading a GraphQL request body, shared by the operation allowlist
 * (GQL-02) and the GitHub App repository scope (GHA-06), so both refuse the
 * same bodies for the same reasons. The `graphql` package is loaded on
 * first use: a proxy that checks no GraphQL never pays for it.
 */
import type { DocumentNode, Kind, parse as graphqlParse } from 'graphql';
import { parseStrictJson } from './strict-json.js';

/** GitHub's own GraphQL limit is far below this; anything bigger is refused unread. */
export const MAX_GRAPHQL_BODY_BYTES = 1024 * 1024;
/** Tokens the parser reads before giving up, bounding its work on a hostile query. */
const MAX_TOKENS = 50_000;

/** The parts of the graphql package the checks use: its parser, and the node kinds. */
export interface GraphqlParser {
  parse: typeof graphqlParse;
  kind: typeof Kind;
}
let loaded: Promise<GraphqlParser> | undefined;

/**
 * The graphql parser, imported once, on first need (only the language
 * modules, not the whole package). The proxy calls it at start when a
 * check needs it, so a missing package stops the start instead of
 * refusing every GraphQL request.
 */
export function loadParser(): Promise<GraphqlParser> {
  loaded ??= Promise.all([import('graphql/language/parser.js'), import('graphql/language/kinds.js')])
    .then(([parser, kinds]) => ({ parse: parser.parse, kind: kinds.Kind }));
  return loaded;
}

/** A body that is one GraphQL request: its parsed query, and the envelope's other members as sent. */
export interface GraphqlRequest {
  readonly document: DocumentNode;
  readonly operationName: unknown;
  readonly variables: unknown;
  readonly kind: typeof Kind;
}

/** Why a body is not one readable GraphQL request. */
export type GraphqlUnreadable = { readonly detail: '<too-large>' | '<batched>' | '<unparseable>' };

/**
 * Reads `body` as `{"query", "operationName"?, "variables"?}` (strict JSON:
 * no duplicate keys) and parses the query. Never throws for a bad body.
 */
export async function readGraphqlRequest(body: Buffer): Promise<GraphqlRequest | GraphqlUnreadable> {
  if (body.length > MAX_GRAPHQL_BODY_BYTES) return { detail: '<too-large>' };
  let request: unknown;
  try {
    request = parseStrictJson(body);
  } catch {
    return { detail: '<unparseable>' };
  }
  if (Array.isArray(request)) return { detail: '<batched>' };
  if (typeof request !== 'object' || request === null) return { detail: '<unparseable>' };
  const { query, operationName, variables } = request as { query?: unknown; operationName?: unknown; variables?: unknown };
  if (typeof query !== 'string') return { detail: '<unparseable>' };
  const { parse, kind } = await loadParser();
  try {
    return { document: parse(query, { noLocation: true, maxTokens: MAX_TOKENS }), operationName, variables, kind };
  } catch {
    // Syntax errors, the token limit, and a stack overflow on absurd nesting alike.
    return { detail: '<unparseable>' };
  }
}
