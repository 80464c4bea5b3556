import t from 'tap';
import { formatSize, splitCommand, triggerPrompt, truncateUtf8 } from '../../../src/core/scheduler/index.js';

t.test('trigger commands are split like a shell quotes, with no shell', async (t) => {
  const table: [string, string[]][] = [
    ['scripts/check.sh', ['scripts/check.sh']],
    ['  ./a   b\tc ', ['./a', 'b', 'c']],
    ["sh -c 'ls | wc -l'", ['sh', '-c', 'ls | wc -l']],
    ['echo a | wc > out', ['echo', 'a', '|', 'wc', '>', 'out']],
    ['echo $HOME `id` *', ['echo', '$HOME', '`id`', '*']],
    ['echo "a \\"b\\" \\$c \\n"', ['echo', 'a "b" $c \\n']],
    ["echo it\\'s", ['echo', "it's"]],
    ["a''b \"\"", ['ab', '']],
    ['echo "x"\'y\'z', ['echo', 'xyz']],
  ];
  for (const [command, argv] of table) t.same(splitCommand(command), argv, command);
  t.throws(() => splitCommand("echo 'open"), { name: 'TriggerCommandError', message: /single quote is not closed/ });
  t.throws(() => splitCommand('echo "open'), { message: /double quote is not closed/ });
  t.throws(() => splitCommand('echo \\'), { message: /lone backslash/ });
  t.throws(() => splitCommand('   '), { message: /no command word/ });
});

t.test('output is cut by UTF-8 bytes, never inside a character, with the sizes noted', async (t) => {
  t.equal(truncateUtf8('short', 10), 'short');
  t.equal(truncateUtf8('abcdef', 4), 'abcd\n[...truncated at 4B, total output was 6B]');
  // "é" is two bytes: a 4-byte cut of "aéé" would split the second one, so "aé" is kept.
  t.equal(truncateUtf8('aéé', 4), 'aé\n[...truncated at 4B, total output was 5B]');
  t.equal(truncateUtf8('€€', 4), '€\n[...truncated at 4B, total output was 6B]');
  const big = 'x'.repeat(Math.round(2.3 * 1024 * 1024));
  t.match(truncateUtf8(big, 102400), /\n\[\.\.\.truncated at 100KB, total output was 2\.3MB\]$/);
  t.equal(Buffer.byteLength(truncateUtf8(big, 102400).split('\n')[0] ?? ''), 102400);
  t.same([formatSize(512), formatSize(1536), formatSize(102400), formatSize(5 * 1024 * 1024)], ['512B', '2KB', '100KB', '5.0MB']);
});

t.test('what a trigger result asks for', async (t) => {
  const base = { stderr: '', timedOut: false, stopped: false };
  t.equal(triggerPrompt('check', { ...base, exitCode: 0, stdout: ' \n\t\n' }, 100), undefined, 'blank output: nothing to do');
  t.equal(triggerPrompt('check', { ...base, exitCode: 0, stdout: 'build 42 failed\n' }, 100), 'build 42 failed\n');
  t.equal(triggerPrompt('check', { ...base, exitCode: 0, stdout: 'abcdef' }, 3), 'abc\n[...truncated at 3B, total output was 6B]');
  const failed = triggerPrompt('scripts/check.sh --all', { ...base, exitCode: 3, stdout: 'out\n', stderr: 'boom\n' }, 100);
  t.equal(failed, 'The scheduled trigger script failed unexpectedly.\n\nCommand: scripts/check.sh --all\nExit code: 3\n\nOutput:\nout\nboom\n\n\nInvestigate the failure and report findings.');
  t.match(triggerPrompt('slow', { ...base, exitCode: undefined, stdout: '', timedOut: true }, 100), /Exit code: none \(killed at the trigger timeout\)/);
  t.match(triggerPrompt('x', { ...base, exitCode: 0, stdout: 'out', timedOut: true }, 100), /failed unexpectedly/, 'a timeout is a failure even with exit 0');
});
