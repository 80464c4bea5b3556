import t from 'tap';
import { parseAllowCommand } from '../../../src/core/approvals/index.js';

void t.test('allow on a line of its own', (t) => {
  t.strictSame(parseAllowCommand('allow 1'), [1]);
  t.strictSame(parseAllowCommand('allow 1 3'), [1, 3]);
  t.strictSame(parseAllowCommand('allow 1, 3'), [1, 3]);
  t.strictSame(parseAllowCommand('allow 1,3'), [1, 3]);
  t.strictSame(parseAllowCommand('ALLOW 2'), [2], 'case-insensitive');
  t.strictSame(parseAllowCommand('Allow 2  \t'), [2], 'trailing whitespace');
  t.strictSame(parseAllowCommand('  allow 2'), [2], 'up to three spaces of indentation');
  t.strictSame(parseAllowCommand('Thanks, retry please.\n\nallow 1\r\nallow 3 1'), [1, 3], 'several lines add up, each number once');
  t.strictSame(parseAllowCommand('allow 0'), [0], 'zero is a number (out of range for the caller)');
  t.end();
});

void t.test('allow that does not count', (t) => {
  for (const text of [
    'Please allow 1 if you can',
    'I will not allow 1 here.',
    'allow 1 and retry',
    'allow',
    'allow one',
    'allow1',
    'allow -1',
    '`allow 1`',
    '- allow 1',
    '> allow 1',
    '>allow 1',
    '> > allow 1',
    '    allow 1',
    '\tallow 1',
    '```\nallow 1\n```',
    '~~~\nallow 1\n~~~',
    'Before\n```sh\nallow 1 2\n```\nafter',
    '',
  ]) {
    t.equal(parseAllowCommand(text), undefined, JSON.stringify(text));
  }
  t.strictSame(parseAllowCommand('```\nallow 1\n```\nallow 2'), [2], 'a line after a closed fence counts');
  t.end();
});
