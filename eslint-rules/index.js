import noFolderCycles from './no-folder-cycles.js';
import sandboxEntryOnly from './sandbox-entry-only.js';

/**
 * Airut's own lint rules, which guard the architecture (see ARCHITECTURE.md):
 * no cycles between folders, and the sandbox library used only through its entry.
 */
const plugin = {
  meta: { name: 'airut' },
  rules: { 'no-folder-cycles': noFolderCycles, 'sandbox-entry-only': sandboxEntryOnly },
};

/**
 * The architecture fences as flat-config blocks, for `eslint.config.js` and
 * for the test that lints deliberate violations with them.
 */
export const architectureConfig = [
  {
    files: ['src/**/*.{ts,tsx,js}'],
    plugins: { airut: plugin },
    rules: { 'airut/no-folder-cycles': 'error' },
  },
  {
    files: ['src/core/**/*.{ts,tsx,js}', 'src/commands/**/*.{ts,tsx,js}'],
    plugins: { airut: plugin },
    rules: { 'airut/sandbox-entry-only': 'error' },
  },
];

export default plugin;
