import t from 'tap';
import { summarizeToolInput, toolResultText } from '../../../src/core/ui/tool-summary.js';
import { describeBlockHint, parseBlockedLine } from '../../../src/core/ui/block-hint.js';
import { downloadBar } from '../../../src/core/run/index.js';
import { formatBytes, formatCost, formatCount, formatDuration } from '../../../src/core/ui/format-units.js';

t.test('tool input summaries name the field that matters', async (t) => {
  t.equal(summarizeToolInput('Bash', { command: 'npm test', description: 'run tests' }), 'npm test');
  t.equal(summarizeToolInput('Bash', { command: 'set -e\nnpm ci\nnpm test' }), 'set -e ⏎ npm ci ⏎ npm test', 'one line');
  t.equal(summarizeToolInput('Edit', { file_path: '/w/a.ts', old_string: 'x', new_string: 'y' }), '/w/a.ts');
  t.equal(summarizeToolInput('Grep', { pattern: 'TODO', path: 'src' }), 'TODO in src');
  t.equal(summarizeToolInput('WebFetch', { url: 'https://a.test/', prompt: 'summarise' }), 'https://a.test/');
  t.equal(summarizeToolInput('TodoWrite', { todos: [{}, {}] }), '2 todos');
  t.equal(summarizeToolInput('mcp__x__y', { count: 3, label: 'first string' }), 'first string', 'unknown tools: the first string');
  t.equal(summarizeToolInput('Other', { n: 1 }), '{"n":1}');
  t.equal(summarizeToolInput('Bash', { command: 'x'.repeat(300) }).length, 100, 'clipped');
  t.equal(summarizeToolInput('Odd', null), 'null');
});

t.test('tool result text', async (t) => {
  t.equal(toolResultText('plain'), 'plain');
  t.equal(toolResultText([{ type: 'text', text: 'a' }, { type: 'image', source: {} }, { type: 'text', text: 'b' }]), 'a\n[image]\nb');
  t.equal(toolResultText(undefined), '');
});

t.test('blocked lines and their hints', async (t) => {
  t.equal(parseBlockedLine('ALLOWED GET https://a.test/ -> 200'), undefined);
  t.same(parseBlockedLine('BLOCKED POST https://a.test/x?y=1 -> 403 [dropped: 1]'), { method: 'POST', url: 'https://a.test/x?y=1', note: undefined });
  t.same(describeBlockHint({ method: 'POST', url: 'https://a.test/x?y=1', note: undefined }), [
    'To allow it, add to .airut/network-allowlist.yaml:',
    'url_prefixes:',
    '  - host: a.test',
    '    path: /x*',
    '    methods: [POST]',
  ], 'the query becomes a trailing *');
  t.same(describeBlockHint({ method: 'GET', url: 'https://a.test/', note: undefined }, 'custom.yaml').slice(0, 3), ['To allow it, add to custom.yaml:', 'url_prefixes:', '  - host: a.test']);
  t.equal(describeBlockHint({ method: 'GET', url: 'https://a.test/', note: undefined }).length, 4, 'no path line for the root');
  t.match(describeBlockHint({ method: 'GET', url: 'https://a.test/a b:c', note: undefined }).join('\n'), /path: "\/a%20b:c"/, 'quoted when YAML would misread it');
  t.same(describeBlockHint({ method: 'GET', url: 'not a url', note: undefined }), ['GET not a url is not in the allowlist (.airut/network-allowlist.yaml).']);
});

t.test('units', async (t) => {
  t.equal(formatDuration(400), '0.4s');
  t.equal(formatDuration(65_000), '1m 05s');
  t.equal(formatDuration(3_725_000), '1h 02m');
  t.equal(formatDuration(-5), '0.0s');
  t.equal(formatBytes(512), '512 B');
  t.equal(formatBytes(12_345_678), '12.3 MB');
  t.equal(formatCount(950), '950');
  t.equal(formatCount(12_300), '12.3k');
  t.equal(formatCount(4_500_000), '4.5M');
  t.equal(formatCost(0.00058), '$0.0006');
  t.equal(formatCost(1.5), '$1.50');
  t.equal(downloadBar(50, 200), `[${'█'.repeat(6)}${'░'.repeat(18)}] 50 B / 200 B 25%`);
  t.equal(downloadBar(5_000_000, undefined), '5.0 MB downloaded');
});
