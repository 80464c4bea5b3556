import t from 'tap';
import { startRegistry } from '../sandbox/claude/binary/setup.js';
import { execFixture } from '../core/run/exec-fixture.js';

// `--claude-version` channels are read from @anthropic-ai/claude-code, and a
// channel or version that does not exist fails before the image, network or
// proxy are prepared. The registry is a stand-in on 127.0.0.1.

void t.test('a channel that @anthropic-ai/claude-code does not publish fails at once, listing its dist-tags', async (t) => {
  const registry = await startRegistry(t);
  registry.publish('2.1.332');
  // The platform package has the tag; what counts is the main package, which does not.
  registry.distTags.stable = '2.1.332';
  registry.mainDistTags = { latest: '2.1.332' };
  const fx = await execFixture(t);
  const result = await fx.run(['sandbox', 'exec', '--claude-version', 'stable', 'say hi'], {
    env: { ANTHROPIC_API_KEY: 'sk-ant-test', npm_config_registry: registry.url },
  });
  t.equal(result.exitCode, 125, result.stderr);
  t.match(result.stderr, /Error: @anthropic-ai\/claude-code has no "stable" dist-tag\nHint: Published dist-tags of @anthropic-ai\/claude-code: latest -> 2\.1\.332\./);
  t.notMatch(result.stderr, /preparing/, 'nothing was prepared');
  t.equal(registry.count('tarball'), 0);
});

void t.test('an exact version that is not published fails at once, naming the versions near it', async (t) => {
  const registry = await startRegistry(t);
  for (const version of ['2.1.331', '2.1.332', '2.1.333']) registry.publish(version);
  registry.mainDistTags = { latest: '2.1.333' };
  const fx = await execFixture(t);
  const result = await fx.run(['sandbox', 'exec', '--claude-version', '2.1.339', 'say hi'], {
    env: { ANTHROPIC_API_KEY: 'sk-ant-test', npm_config_registry: registry.url },
  });
  t.equal(result.exitCode, 125, result.stderr);
  t.match(result.stderr, /Claude Code 2\.1\.339 is not published as @anthropic-ai\/claude-code-linux-x64\nHint: Versions near it: 2\.1\.331, 2\.1\.332, 2\.1\.333/);
  t.notMatch(result.stderr, /preparing/, 'nothing was prepared');
});
