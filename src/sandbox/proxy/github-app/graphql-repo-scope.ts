/**
 * GraphQL repository scoping for GitHub App tokens narrowed to
 * `repositories` (GHA-06). GitHub answers `/graphql` with the token's
 * installation, so without this a token narrowed to one repository could
 * still read (public) repositories elsewhere by name or node id. The check
 * is pure: it looks at every place a query can name a repository and
 * refuses the request when any of them names one outside the allowed set,
 * or when it cannot tell. Fail closed throughout.
 */
import type { ArgumentNode, DefinitionNode, Kind, SelectionNode, ValueNode, VariableDefinitionNode } from 'graphql';
import { readGraphqlRequest } from '../graphql-request.js';
import { decodeNodeId } from './node-id.js';

/** The repositories a token may reach, as the token answer listed them. */
export interface AllowedRepos {
  /** `owner/name`, lower case. */
  readonly fullNames: ReadonlySet<string>;
  /** Database ids (what node ids encode). */
  readonly databaseIds: ReadonlySet<number>;
}

/** Allowed, or refused with the detail naming what was refused. */
export type RepoScopeVerdict = { readonly allowed: true } | { readonly allowed: false; readonly detail: string };

/** Fields that list many repositories at once: with arguments they enumerate beyond the allowed set. */
const MULTI_REPO_WITH_ARGUMENTS = new Set(['repositories', 'forks', 'pinnedItems', 'pinnableItems', 'starredRepositories', 'watching', 'repositoriesContributedTo', 'topRepositories']);
/** Fields that reach arbitrary repositories whatever their arguments. */
const MULTI_REPO_ALWAYS = new Set(['search', 'itemShowcase']);
/** Fields whose `login` names the owner of a `repository(name:)` below them. */
const OWNER_FIELDS = new Set(['organization', 'user', 'repositoryOwner']);

/** A JSON value a variable carries. */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

class Refusal extends Error {
  constructor(readonly detail: string) {
    super(detail);
  }
}

/** True for argument and input keys that carry a node id (`id`, `ids`, `*Id`, `*Ids`), not `clientMutationId`. */
function isIdKey(key: string): boolean {
  if (key === 'clientMutationId') return false;
  return key === 'id' || key === 'ids' || key.endsWith('Id') || key.endsWith('Ids');
}

/**
 * Judges one `/graphql` request body against the repositories the token
 * may reach. Every operation and fragment of the document is checked, not
 * only the one the server would execute: a part that is never run costs
 * nothing to refuse, and guessing which one runs is how checks are fooled.
 */
export async function checkRepoScope(body: Buffer, allowed: AllowedRepos): Promise<RepoScopeVerdict> {
  const read = await readGraphqlRequest(body);
  if ('detail' in read) return { allowed: false, detail: read.detail };
  const { variables, kind } = read;
  // A string of JSON (which some servers accept) or anything else would be read in a way this check does not see.
  if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) {
    return { allowed: false, detail: '<unparseable>' };
  }
  const definitions: readonly DefinitionNode[] = read.document.definitions;
  const defaulted = new Set<string>();
  for (const d of definitions) {
    if (d.kind === kind.OPERATION_DEFINITION) for (const v of d.variableDefinitions ?? []) if (v.defaultValue !== undefined) defaulted.add(v.variable.name.value);
  }
  const checker = new ScopeChecker(kind, allowed, (variables ?? {}) as Record<string, Json>, defaulted);
  try {
    for (const definition of definitions) checker.definition(definition);
  } catch (error) {
    if (error instanceof Refusal) return { allowed: false, detail: error.detail };
    // Absurd nesting overflows the stack: unreadable, so refused.
    if (error instanceof RangeError) return { allowed: false, detail: '<unparseable>' };
    throw error;
  }
  return { allowed: true };
}

class ScopeChecker {
  #defaults = new Map<string, ValueNode>();

  /** True while checking a fragment definition: which operation's variable defaults apply is unknown there. */
  #inFragment = false;

  /** @param defaulted variables some operation of the document gives a default */
  constructor(private readonly kind: typeof Kind, private readonly allowed: AllowedRepos, private readonly variables: Record<string, Json>, private readonly defaulted: ReadonlySet<string>) {}

  definition(definition: DefinitionNode): void {
    const { kind } = this;
    if (definition.kind === kind.OPERATION_DEFINITION) {
      this.#defaults = defaultsOf(definition.variableDefinitions ?? []);
      this.#inFragment = false;
      this.selections(definition.selectionSet.selections, undefined);
    } else if (definition.kind === kind.FRAGMENT_DEFINITION) {
      // Its owner context is unknown here: a repository(name:) in it without owner is refused.
      this.#defaults = new Map();
      this.#inFragment = true;
      this.selections(definition.selectionSet.selections, undefined);
    } else {
      // Schema definitions and extensions are not executable; GitHub rejects them. Refuse rather than reason about them.
      throw new Refusal('<unparseable>');
    }
  }

  private selections(selections: readonly SelectionNode[], owner: string | undefined): void {
    for (const selection of selections) {
      if (selection.kind === this.kind.FIELD) {
        const name = selection.name.value;
        const args = selection.arguments ?? [];
        if (MULTI_REPO_ALWAYS.has(name) || (MULTI_REPO_WITH_ARGUMENTS.has(name) && args.length > 0)) throw new Refusal(`<multi-repo:${name}>`);
        if (name === 'resource') throw new Refusal('<url-addressed:resource>');
        for (const arg of args) this.argument(arg);
        let inner = owner;
        if (OWNER_FIELDS.has(name)) inner = this.stringArgument(args, 'login');
        if (name === 'repository' && args.length > 0) this.repository(args, owner);
        if (selection.selectionSet !== undefined) this.selections(selection.selectionSet.selections, inner);
      } else if (selection.kind === this.kind.INLINE_FRAGMENT) {
        this.selections(selection.selectionSet.selections, owner);
      }
      // A named spread is checked where its fragment is defined.
    }
  }

  /** `repository(owner:, name:)`, the owner from the argument or the `login` of the field around it. */
  private repository(args: readonly ArgumentNode[], parentOwner: string | undefined): void {
    const name = this.stringArgument(args, 'name');
    if (name === undefined) throw new Refusal('<unknown>/<unknown>');
    const owner = args.some((a) => a.name.value === 'owner') ? this.stringArgument(args, 'owner') : parentOwner;
    const full = `${owner ?? '<unknown>'}/${name}`;
    if (owner === undefined || !this.allowed.fullNames.has(full.toLowerCase())) throw new Refusal(full);
  }

  /** The string value of argument `key` (literal or variable), or undefined when it has none. */
  private stringArgument(args: readonly ArgumentNode[], key: string): string | undefined {
    const arg = args.find((a) => a.name.value === key);
    if (arg === undefined) return undefined;
    const value = this.resolve(arg.value);
    if (value === undefined) throw new Refusal(`<unresolved-variable:${arg.value.kind === this.kind.VARIABLE ? arg.value.name.value : key}>`);
    return typeof value === 'string' ? value : undefined;
  }

  private argument(arg: ArgumentNode): void {
    const value = this.resolve(arg.value);
    if (value === undefined) return;
    this.value(arg.name.value, value);
  }

  /** A literal or variable as JSON; undefined for a variable with no value and no default. */
  private resolve(node: ValueNode): Json | undefined {
    const { kind } = this;
    switch (node.kind) {
      case kind.VARIABLE: {
        const name = node.name.value;
        if (Object.hasOwn(this.variables, name)) return this.variables[name];
        // In a fragment, a variable without a value takes the default of whichever operation runs it: not knowable here.
        if (this.#inFragment && this.defaulted.has(name)) throw new Refusal(`<unresolved-variable:${name}>`);
        const fallback = this.#defaults.get(name);
        return fallback === undefined ? undefined : this.resolve(fallback);
      }
      case kind.NULL: return null;
      case kind.STRING:
      case kind.ENUM: return node.value;
      case kind.INT:
      case kind.FLOAT: return Number(node.value);
      case kind.BOOLEAN: return node.value;
      case kind.LIST: return node.values.map((v) => this.resolve(v) ?? null);
      case kind.OBJECT: {
        const out: Record<string, Json> = {};
        for (const field of node.fields) {
          const v = this.resolve(field.value);
          if (v !== undefined) out[field.name.value] = v;
        }
        return out;
      }
      default: throw new Refusal('<unparseable>');
    }
  }

  /** Checks one value under `key`, walking into lists and input objects (variables nest). */
  private value(key: string, value: Json): void {
    if (Array.isArray(value)) {
      for (const item of value) this.value(key, item);
      return;
    }
    if (value !== null && typeof value === 'object') {
      for (const [inner, v] of Object.entries(value)) this.value(inner, v);
      return;
    }
    if (value === null) return;
    if (key === 'repositoryNameWithOwner') {
      if (typeof value !== 'string' || !this.allowed.fullNames.has(value.toLowerCase())) throw new Refusal(String(value));
      return;
    }
    if (!isIdKey(key)) return;
    if (typeof value !== 'string') throw new Refusal(`<unrecognized-node-id:${key}>`);
    this.nodeId(key, value);
  }

  private nodeId(key: string, id: string): void {
    const decoded = decodeNodeId(id);
    if (decoded.kind === 'unrecognized') throw new Refusal(`<unrecognized-node-id:${id.slice(0, 100)}>`);
    if (decoded.kind === 'account') {
      // A user, organization, team or bot names no repository (but a repositoryId must).
      if (key === 'repositoryId' || key === 'repositoryIds') throw new Refusal(id);
      return;
    }
    if (!this.allowed.databaseIds.has(decoded.repositoryId)) throw new Refusal(id);
  }
}

function defaultsOf(definitions: readonly VariableDefinitionNode[]): Map<string, ValueNode> {
  const out = new Map<string, ValueNode>();
  for (const d of definitions) if (d.defaultValue !== undefined) out.set(d.variable.name.value, d.defaultValue);
  return out;
}
