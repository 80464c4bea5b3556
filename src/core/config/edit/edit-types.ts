import type { KeySegment } from '../key-path.js';

/**
 * One change to airut.yaml, as the config editor sends it. Paths are key
 * segments from the top of the file (`['repos', 'web', 'email', 'imap_port']`).
 *
 * Values of `set` are what the user typed: text is read according to the
 * schema type at the path (a number where the schema wants one), and
 * `!env NAME`, `!env NAME?` or `!var NAME` store a reference instead of a value.
 * A list of strings is sent as its items.
 */
export type ConfigEdit =
  | { op: 'set'; path: KeySegment[]; value: string | string[] }
  | { op: 'delete'; path: KeySegment[] }
  | { op: 'addObject'; path: KeySegment[] }
  | { op: 'addRepo'; id: string }
  | { op: 'removeRepo'; id: string };
