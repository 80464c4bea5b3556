import t from 'tap';
import { detectLibc, detectPlatform } from '../../../../src/sandbox/claude/binary/platform.js';

void t.test('linux hosts map to the four platform packages', (t) => {
  t.same(detectPlatform({ platform: 'linux', arch: 'x64', libc: 'glibc' }), { id: 'linux-x64', packageName: '@anthropic-ai/claude-code-linux-x64' });
  t.same(detectPlatform({ platform: 'linux', arch: 'x64', libc: 'musl' }).packageName, '@anthropic-ai/claude-code-linux-x64-musl');
  t.same(detectPlatform({ platform: 'linux', arch: 'arm64', libc: 'glibc' }).packageName, '@anthropic-ai/claude-code-linux-arm64');
  t.same(detectPlatform({ platform: 'linux', arch: 'arm64', libc: 'musl' }).packageName, '@anthropic-ai/claude-code-linux-arm64-musl');
  t.end();
});

void t.test('other systems and architectures are typed errors', (t) => {
  t.throws(() => detectPlatform({ platform: 'darwin', arch: 'arm64' }), { code: 'CLAUDE_BIN_PLATFORM', hint: /Linux/ });
  t.throws(() => detectPlatform({ platform: 'win32', arch: 'x64' }), { code: 'CLAUDE_BIN_PLATFORM' });
  t.throws(() => detectPlatform({ platform: 'linux', arch: 'riscv64' }), { code: 'CLAUDE_BIN_PLATFORM', message: /"riscv64"/ });
  t.end();
});

void t.test('this Debian host is glibc', (t) => {
  t.equal(detectLibc(), 'glibc');
  t.equal(detectPlatform().packageName, `@anthropic-ai/claude-code-linux-${process.arch}`);
  t.end();
});
