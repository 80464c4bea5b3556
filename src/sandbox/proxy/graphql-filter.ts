/**
 * The GraphQL operation allowlist (GQL-01..03): an allowlist entry with a
 * `graphql:` block lets through only operations whose top-level fields
 * match its patterns. Queries are parsed with the reference `graphql`
 * package (see graphql-request.ts).
 */
import type { Kind, OperationDefinitionNode, SelectionNode } from 'graphql';
import type { GraphqlOperations } from '../network/allowlist/allowlist.js';
import { compilePattern } from '../network/allowlist/pattern.js';
import type { BodyFilter, FilterRequest, FilterResult } from './body-filter.js';
import { MAX_GRAPHQL_BODY_BYTES, readGraphqlRequest } from './graphql-request.js';

/** The outcome of {@link checkGraphqlOperation}: `detail` is set when blocked; `tag` is `type/field` when the query parsed. */
export interface GraphqlVerdict {
  readonly allowed: boolean;
  readonly detail?: string;
  readonly tag?: string;
}

const LIST_OF = { query: 'queries', mutation: 'mutations', subscription: 'subscriptions' } as const;

/**
 * Top-level field names of a selection set (aliases resolved to the real
 * field). Inline fragments are flattened up to two levels; a named fragment
 * spread at the root, or anything deeper, gives undefined (the fields could
 * not be known without resolving it).
 */
function topLevelFields(kind: typeof Kind, selections: readonly SelectionNode[], depth = 0): string[] | undefined {
  const fields: string[] = [];
  for (const selection of selections) {
    if (selection.kind === kind.FIELD) {
      fields.push(selection.name.value);
    } else if (selection.kind === kind.INLINE_FRAGMENT && depth < 2) {
      const inner = topLevelFields(kind, selection.selectionSet.selections, depth + 1);
      if (inner === undefined) return undefined;
      fields.push(...inner);
    } else {
      return undefined;
    }
  }
  return fields;
}

/**
 * Judges one GraphQL request body against an entry's operation lists
 * (GQL-02). Exported for unit tests.
 */
export async function checkGraphqlOperation(body: Buffer, operations: GraphqlOperations): Promise<GraphqlVerdict> {
  const read = await readGraphqlRequest(body);
  if ('detail' in read) return { allowed: false, detail: read.detail };
  const { kind, operationName } = read;
  const operationsInQuery = read.document.definitions.filter((d): d is OperationDefinitionNode => d.kind === kind.OPERATION_DEFINITION);
  if (operationsInQuery.length === 0) return { allowed: false, detail: '<unparseable>' };

  let operation = operationsInQuery[0] as OperationDefinitionNode;
  if (operationsInQuery.length > 1) {
    // The server executes the one operationName names; without an unambiguous name it is unknown which.
    const named = typeof operationName === 'string' ? operationsInQuery.filter((d) => d.name?.value === operationName) : [];
    if (named.length !== 1) return { allowed: false, detail: '<operation-name-invalid>' };
    operation = named[0] as OperationDefinitionNode;
  }
  // With one operation the server runs that one or fails: operationName cannot pick another.

  const type = operation.operation;
  const fields = topLevelFields(kind, operation.selectionSet.selections);
  if (fields === undefined) return { allowed: false, detail: '<fragment-spread>' };
  if (fields.length === 0) return { allowed: false, detail: '<unparseable>' };
  const patterns = operations[LIST_OF[type]];
  if (patterns.length === 0) return { allowed: false, detail: `${type}:<blocked>`, tag: `${type}/${fields[0] as string}` };
  const matchers = patterns.map((p) => compilePattern(p));
  for (const field of fields) {
    if (!matchers.some((m) => m.test(field))) return { allowed: false, detail: field, tag: `${type}/${field}` };
  }
  return { allowed: true, tag: `${type}/${fields[0] as string}` };
}

function blockedMessage(detail: string): string {
  return `GraphQL operation '${detail}' is not in the operation allowlist. To request access, update the graphql block in .airut/network-allowlist.yaml and submit a PR.`;
}

/** The `graphql-op` filter: runs for requests allowed by an entry with a `graphql:` block. */
export function graphqlOperationFilter(): BodyFilter {
  const graphqlOf = (request: FilterRequest): GraphqlOperations | undefined => (request.matched?.kind === 'url_prefix' ? request.matched.graphql : undefined);
  return {
    name: 'graphql-op',
    maxBodyBytes: MAX_GRAPHQL_BODY_BYTES,
    applies: (request) => graphqlOf(request) !== undefined,
    apply: async (request, body): Promise<FilterResult> => {
      const operations = graphqlOf(request);
      if (operations === undefined) throw new Error('graphql-op applied to a request without a graphql block');
      const verdict = await checkGraphqlOperation(body, operations);
      if (verdict.allowed) return { action: 'pass', tag: verdict.tag };
      const detail = verdict.detail ?? '<blocked>';
      return { action: 'block', block: { error: 'graphql_operation_blocked', message: blockedMessage(detail), detail }, tag: verdict.tag };
    },
    tooLarge: () => ({ action: 'block', block: { error: 'graphql_operation_blocked', message: blockedMessage('<too-large>'), detail: '<too-large>' } }),
  };
}
