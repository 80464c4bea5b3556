import t from 'tap';
import { entrypointScript, imageContentHash, overlayDockerfile, parseImageCreated } from '../../../src/sandbox/image/index.js';

void t.test('content hash: length-prefixed, order-independent', (t) => {
  const base = imageContentHash('FROM x\n', { a: 'one', b: 'two' });
  t.equal(imageContentHash('FROM x\n', { b: 'two', a: 'one' }), base);
  t.not(imageContentHash('FROM x\n', { a: 'onf', b: 'two' }), base);
  t.not(imageContentHash('FROM x\n', { ab: 'ne', b: 'two' }), imageContentHash('FROM x\n', { a: 'bne', b: 'two' }));
  t.equal(imageContentHash('FROM x\n', { a: Buffer.from('one') }), imageContentHash('FROM x\n', { a: 'one' }));
  t.end();
});

void t.test('entrypoint: agent execs claude once, passthrough execs the command', (t) => {
  const agent = entrypointScript('agent');
  t.match(agent, /^#!\/bin\/sh\n/);
  t.match(agent, /export IS_SANDBOX=1/);
  t.match(agent, /\nexec \/opt\/claude\/claude "\$@"\n$/);
  t.match(entrypointScript('passthrough'), /\nexec "\$@"\n$/);
  t.match(agent, /airut-ca\.crt/);
  t.match(overlayDockerfile('p-repo:abc'), /^FROM p-repo:abc\n/);
  t.end();
});

void t.test('image Created timestamps from podman and docker', (t) => {
  t.equal(parseImageCreated('2026-11-27 11:01:43.809470655 +0000 UTC')?.toISOString(), '2026-11-27T11:01:43.809Z');
  t.equal(parseImageCreated('2026-11-27 13:01:43 +0200 EET')?.toISOString(), '2026-11-27T11:01:43.000Z');
  t.equal(parseImageCreated('2026-11-27 11:01:43.8 +0000 UTC m=+0.123')?.toISOString(), '2026-11-27T11:01:43.800Z');
  t.equal(parseImageCreated('2026-11-27T11:01:43.809470655Z')?.toISOString(), '2026-11-27T11:01:43.809Z');
  t.equal(parseImageCreated('not a time'), undefined);
  t.equal(parseImageCreated(''), undefined);
  t.end();
});
