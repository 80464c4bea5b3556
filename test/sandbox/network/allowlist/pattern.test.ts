import t from 'tap';
import { readFileSync } from 'node:fs';
import { compilePattern, hasGlobCharacters, isWildcardPattern, matchPattern } from '../../../../src/sandbox/network/allowlist/index.js';
import { findPatternProblem } from '../../../../src/sandbox/network/allowlist/pattern.js';

// [pattern, text, caseInsensitive, expected]
const rows: [string, string, boolean, boolean][] = [
  // `*` crosses dots and slashes (Python fnmatch, not shell globbing).
  ['*.github.com', 'api.github.com', true, true],
  ['*.github.com', 'a.b.c.github.com', true, true],
  ['*.github.com', 'github.com', true, false],
  ['*.github.com', '.github.com', true, true],
  ['*.github.com', 'evilgithub.com', true, false],
  ['*.github.com', 'api.github.com.evil.com', true, false],
  ['*github.com', 'evilgithub.com', true, true],
  ['github.com*', 'github.com.evil.com', true, true],
  ['/repos/*', '/repos/org/repo/pulls', false, true],
  ['/repos/*', '/repos/', false, true],
  ['/repos/*', '/repos', false, false],
  ['/repos/*/pulls', '/repos/org/repo/pulls', false, true],
  ['/repos/*/pulls', '/repos/org/repo/issues', false, false],
  ['/v1/messages*', '/v1/messages?beta=true', false, true],
  ['/v1/messages*', '/v1/messagesX', false, true],
  ['*', '', false, true],
  ['*', '/anything/at/all?x=1', false, true],
  ['**', 'x', false, true],
  ['a*b*c', 'aXXbYYc', false, true],
  ['a*b*c', 'aXXbYY', false, false],
  ['*a*a*a*a*a*a*a*a*b', 'a'.repeat(2000), false, false],
  // `?` is exactly one character (one code point).
  ['/v?/x', '/v1/x', false, true],
  ['/v?/x', '/v10/x', false, false],
  ['/v?/x', '/v/x', false, false],
  ['/?', '/é', false, true],
  ['/?', '/😀', false, true],
  ['?', '', false, false],
  // Without * or ? the original compares literally: no class, no prefix.
  ['/graphql', '/graphql', false, true],
  ['/graphql', '/graphql?x=1', false, false],
  ['/graphql', '/graphql/', false, false],
  ['/a[1]', '/a[1]', false, true],
  ['/a[1]', '/a1', false, false],
  ['api.github.com', 'API.GitHub.COM', true, true],
  ['API.GITHUB.COM', 'api.github.com', true, true],
  // Paths are case-sensitive.
  ['/Repos/*', '/repos/x', false, false],
  ['/repos', '/Repos', false, false],
  // Classes, as fnmatch reads them.
  ['/v[12]/*', '/v1/x', false, true],
  ['/v[12]/*', '/v3/x', false, false],
  ['/v[0-9]*', '/v7', false, true],
  ['/v[!0-9]*', '/v7', false, false],
  ['/v[!0-9]*', '/vx', false, true],
  ['/[^a]*', '/^', false, true],
  ['/[^a]*', '/a', false, true],
  ['/[^a]*', '/b', false, false],
  ['/[]]*', '/]', false, true],
  ['/[!]]*', '/]', false, false],
  ['/[!]]*', '/x', false, true],
  ['/[-a]*', '/-', false, true],
  ['/[a-]*', '/-', false, true],
  ['/[a-]*', '/b', false, false],
  ['/[*]*', '/*x', false, true],
  ['/[*]*', '/x', false, false],
  ['/[?]*', '/?q', false, true],
  ['/[?]*', '/x', false, false],
  ['/[\\]*', '/\\', false, true],
  ['/[/]*', '//', false, true],
  ['/[*', '/[abc', false, true],
  ['/[*', '/abc', false, false],
  ['[!]*', '[!]x', false, true],
  ['*[A-Z]*', 'abc', true, true], // both sides are lower-cased first, classes included
  ['*[A-Z]*', '123', true, false],
  ['*[A-Z]*', 'aBc', true, true],
  ['*.EXAMPLE.com', 'www.example.COM', true, true],
  // Literal head and tail overlap in short texts: they only pre-filter.
  ['ab*ba', 'aba', false, false],
  ['ab*ba', 'abba', false, true],
  ['ab?ba', 'abba', false, false],
  ['😀*😀', '😀', false, false],
  ['😀*😀', '😀x😀', false, true],
  ['/?/😀', '/é/😀', false, true],
  ['/[😀-😂]*', '/😁x', false, true],
  ['/[😀-😂]*', '/😃x', false, false],
  ['*.ex?mple.com', 'www.exAmple.com', true, true],
];

void t.test('matcher follows Python fnmatch for allowlist patterns', (t) => {
  for (const [pattern, text, caseInsensitive, expected] of rows) {
    t.equal(matchPattern(pattern, text, { caseInsensitive }), expected, `${JSON.stringify(pattern)} vs ${JSON.stringify(text)}${caseInsensitive ? ' (any case)' : ''}`);
  }
  t.end();
});

void t.test('matcher agrees with vectors recorded from Python fnmatch', (t) => {
  const file = new URL('fnmatch-vectors.json', import.meta.url);
  const vectors = JSON.parse(readFileSync(file, 'utf8')) as { rows: [string, string, boolean][] };
  t.ok(vectors.rows.length >= 400);
  let compared = 0;
  for (const [pattern, text, expected] of vectors.rows) {
    // Reversed ranges are refused at validation; Python's quirky reading of them is not reproduced.
    if (findPatternProblem(pattern) !== undefined) continue;
    compared += 1;
    t.equal(matchPattern(pattern, text), expected, `${JSON.stringify(pattern)} vs ${JSON.stringify(text)}`);
  }
  t.ok(compared > 350, `compared ${compared} vectors`);
  t.end();
});

void t.test('a compiled matcher reports its kind and is reusable', (t) => {
  const m = compilePattern('*.Example.com', { caseInsensitive: true });
  t.equal(m.source, '*.Example.com');
  t.equal(m.isWildcard, true);
  t.equal(m.test('a.example.com'), true);
  t.equal(m.test('b.EXAMPLE.com'), true);
  t.equal(m.test('example.com'), false);
  t.equal(compilePattern('/x').isWildcard, false);
  t.equal(isWildcardPattern('/[ab]'), false);
  t.equal(isWildcardPattern('/a?'), true);
  t.equal(hasGlobCharacters('X-[ab]'), true);
  t.equal(hasGlobCharacters('Authorization'), false);
  t.end();
});

void t.test('reversed class ranges are reported, others are not', (t) => {
  t.match(findPatternProblem('/[z-a]*'), /"z-a" is reversed/);
  t.match(findPatternProblem('/[!9-0]*'), /"9-0" is reversed/);
  t.equal(findPatternProblem('/[a-z]*'), undefined);
  t.equal(findPatternProblem('/[z-a]'), undefined, 'no wildcard: compared literally, never a class');
  t.equal(findPatternProblem('/[--0]*'), undefined);
  t.end();
});

void t.test('pathological patterns stay linear enough to finish', (t) => {
  const pattern = `${'*a'.repeat(200)}b`;
  const text = 'a'.repeat(5000);
  t.equal(matchPattern(pattern, text), false);
  t.end();
});
