/**
 * GitHub GraphQL node ids, decoded as far as repository scoping needs.
 *
 * Current ids are `PREFIX_` + url-safe base64 of a MessagePack array
 * `[0, repository_database_id, ...]` (`R_kgDO...` for a repository itself,
 * `I_kwDO...` for an issue in it). Legacy ids are base64 of
 * `<length>:<Type><database id>`, e.g. `010:Repository1296269`; only their
 * repositories and accounts can be placed.
 */

/** What an id says about the repository it belongs to. */
export type DecodedNodeId =
  /** A user, organization, team, bot or enterprise-managed user: no repository. */
  | { readonly kind: 'account' }
  /** Belongs to the repository with this database id. */
  | { readonly kind: 'repository'; readonly repositoryId: number }
  /** A format, or a legacy type, from which the repository cannot be read. */
  | { readonly kind: 'unrecognized' };

const ACCOUNT_PREFIXES = new Set(['U', 'O', 'T', 'BOT', 'EMU']);
const LEGACY_ACCOUNT_TYPES = new Set(['User', 'Organization', 'Team', 'Bot']);
const CURRENT = /^([A-Z][A-Za-z0-9]*)_([A-Za-z0-9_-]+)$/;
const LEGACY = /^[A-Za-z0-9+/]+={0,2}$/;
const UNRECOGNIZED: DecodedNodeId = { kind: 'unrecognized' };

/** Decodes `id`; never throws. */
export function decodeNodeId(id: string): DecodedNodeId {
  const current = CURRENT.exec(id);
  if (current !== null) {
    if (ACCOUNT_PREFIXES.has(current[1] as string)) return { kind: 'account' };
    const head = readArrayHead(Buffer.from(current[2] as string, 'base64url'));
    return head === undefined ? UNRECOGNIZED : { kind: 'repository', repositoryId: head };
  }
  if (!LEGACY.test(id)) return UNRECOGNIZED;
  const legacy = /^(\d{1,3}):([A-Za-z]+?)(\d+)$/.exec(Buffer.from(id, 'base64').toString('latin1'));
  if (legacy === null) return UNRECOGNIZED;
  const type = legacy[2] as string;
  if (Number(legacy[1]) !== type.length) return UNRECOGNIZED;
  if (LEGACY_ACCOUNT_TYPES.has(type)) return { kind: 'account' };
  const dbId = Number(legacy[3]);
  return type === 'Repository' && Number.isSafeInteger(dbId) ? { kind: 'repository', repositoryId: dbId } : UNRECOGNIZED;
}

/**
 * The second element of a MessagePack array whose first element is 0 (the
 * id format version), when both are unsigned integers; else undefined.
 */
function readArrayHead(bytes: Buffer): number | undefined {
  let at = 0;
  const first = bytes[at++];
  let length: number;
  if (first === undefined) return undefined;
  if (first >= 0x90 && first <= 0x9f) length = first - 0x90;
  else if (first === 0xdc && bytes.length >= 3) { length = bytes.readUInt16BE(1); at = 3; }
  else return undefined;
  if (length < 2) return undefined;
  const version = readUint(bytes, at);
  if (version === undefined || version.value !== 0) return undefined;
  const repo = readUint(bytes, version.next);
  return repo?.value;
}

function readUint(bytes: Buffer, at: number): { value: number; next: number } | undefined {
  const tag = bytes[at];
  if (tag === undefined) return undefined;
  if (tag <= 0x7f) return { value: tag, next: at + 1 };
  const width = { 0xcc: 1, 0xcd: 2, 0xce: 4, 0xcf: 8 }[tag];
  if (width === undefined || at + 1 + width > bytes.length) return undefined;
  const value = width === 8 ? Number(bytes.readBigUInt64BE(at + 1)) : bytes.readUIntBE(at + 1, width);
  return Number.isSafeInteger(value) ? { value, next: at + 1 + width } : undefined;
}
