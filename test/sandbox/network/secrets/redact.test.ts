import t from 'tap';
import { createRedactor } from '../../../../src/sandbox/network/secrets/index.js';

void t.test('real values are masked by name wherever they appear', (t) => {
  const redact = createRedactor([
    { name: 'GH_TOKEN', value: 'ghp_REALREALREAL' },
    { name: 'LONGER', value: 'prefix-ghp_REALREALREAL-suffix' },
    { name: 'SHORT', value: 'abc' },
  ]);
  t.equal(redact('error: bad credentials ghp_REALREALREAL (ghp_REALREALREAL)'), 'error: bad credentials [masked:GH_TOKEN] ([masked:GH_TOKEN])');
  t.equal(redact('x prefix-ghp_REALREALREAL-suffix y'), 'x [masked:LONGER] y', 'the longer value is masked whole');
  t.equal(redact('abc is too short to mask'), 'abc is too short to mask');
  t.equal(redact(''), '');
  t.equal(createRedactor([])('ghp_REALREALREAL'), 'ghp_REALREALREAL');
  t.end();
});
