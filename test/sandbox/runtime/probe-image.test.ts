import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import t from 'tap';
import { PROBE_OUTPUT, isProbeArch, probeImageTar, probeProgram } from '../../../src/sandbox/runtime/probe-image.js';

void t.test('the probe tarball is a valid archive holding one root-owned executable', async (t) => {
  const listing = await execa('tar', ['-tvf', '-'], { input: probeImageTar('x64') });
  t.match(listing.stdout, /^-rwxr-xr-x root\/root +\d+ .* probe$/);
  t.equal(listing.stdout.split('\n').length, 1);
});

void t.test('the probe program runs on this host and prints its marker', async (t) => {
  t.ok(isProbeArch(process.arch), `this host's architecture ${process.arch} has a probe program`);
  const dir = mkdtempSync(join(tmpdir(), 'airut-probe-image-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const program = join(dir, 'probe');
  writeFileSync(program, probeProgram(process.arch as 'x64' | 'arm64'));
  chmodSync(program, 0o755);
  const result = await execa(program, [], { reject: false });
  t.same({ exitCode: result.exitCode, stdout: result.stdout }, { exitCode: 0, stdout: PROBE_OUTPUT });
});

void t.test('both architectures get an ELF64 executable for their machine type', (t) => {
  const x64 = probeProgram('x64');
  const arm64 = probeProgram('arm64');
  t.equal(x64.subarray(0, 4).toString('latin1'), '\x7fELF');
  t.equal(x64.readUInt16LE(18), 0x3e);
  t.equal(arm64.readUInt16LE(18), 0xb7);
  t.ok(arm64.includes(Buffer.from(PROBE_OUTPUT)));
  t.notOk(isProbeArch('ia32'));
  t.end();
});
