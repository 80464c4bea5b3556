import { readFile } from 'node:fs/promises';
import t from 'tap';
import { GENERATE_COMMAND, TYPES_FILE, renderConfigTypesFromFile } from '../../../scripts/generate-config-types.js';

void t.test('the committed config types match airut.schema.json', async (t) => {
  const expected = await renderConfigTypesFromFile();
  const committed = await readFile(TYPES_FILE, 'utf8');
  t.ok(committed === expected, `${TYPES_FILE} is stale: run \`${GENERATE_COMMAND}\` and commit the result`);
});
