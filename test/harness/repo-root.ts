import { realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The repository's real folder. The unit tier runs test files from a tree of
 * links to the repository (scripts/unit-tree.js); paths built from a test's
 * own location lead into that tree, while the product, oclif and the build
 * see the real files. Resolved through package.json, which is always a link.
 */
export const REPO_ROOT = dirname(realpathSync(join(import.meta.dirname, '..', '..', 'package.json')));
