import t from 'tap';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TarEntryWriter } from '../../../../src/sandbox/claude/binary/tar-entry-writer.js';
import { makeTar, paxRecord } from './fake-registry.js';

async function extract(archive: Buffer, wanted: string, chunkSize = 7): Promise<{ data: Buffer; writer: TarEntryWriter }> {
  const pieces: Buffer[] = [];
  const writer = new TarEntryWriter(wanted, (chunk) => {
    pieces.push(Buffer.from(chunk));
    return Promise.resolve();
  });
  const chunks: Buffer[] = [];
  for (let i = 0; i < archive.length; i += chunkSize) chunks.push(archive.subarray(i, i + chunkSize));
  await pipeline(Readable.from(chunks), writer);
  return { data: Buffer.concat(pieces), writer };
}

void t.test('extracts the wanted entry across arbitrary chunk boundaries and skips the rest', async (t) => {
  const body = Buffer.alloc(1500, 'c');
  const archive = makeTar([
    { path: 'package/', body: '', type: '5' },
    { path: 'package/a.txt', body: 'x'.repeat(513) },
    { path: 'package/claude', body },
    { path: 'package/z.txt', body: 'z' },
  ]);
  for (const size of [1, 7, 511, 512, 513, 100_000]) {
    const { data, writer } = await extract(archive, 'package/claude', size);
    t.same(data, body, `chunk size ${size}`);
    t.equal(writer.entrySize, 1500);
  }
});

void t.test('a pax path record names the entry that follows', async (t) => {
  const archive = makeTar([
    { path: 'PaxHeader/x', body: paxRecord('path', 'package/claude') + paxRecord('mtime', '1.5'), type: 'x' },
    { path: 'package/something-truncated', body: 'from pax' },
    { path: 'package/claude-decoy', body: 'decoy' },
  ]);
  t.equal((await extract(archive, 'package/claude')).data.toString(), 'from pax');
});

void t.test('a GNU long name names the entry that follows; ./ prefixes are ignored', async (t) => {
  const long = `package/${'d/'.repeat(60)}claude`;
  const archive = makeTar([
    { path: '././@LongLink', body: `${long}\0`, type: 'L' },
    { path: 'cut', body: 'long one' },
    { path: './package/claude', body: 'dotted' },
  ]);
  t.equal((await extract(archive, long)).data.toString(), 'long one');
  t.equal((await extract(archive, 'package/claude')).data.toString(), 'dotted');
});

void t.test('a missing entry, a cut-off entry and a corrupt header are errors', async (t) => {
  const archive = makeTar([{ path: 'package/claude', body: Buffer.alloc(2000, 1) }]);
  await t.rejects(extract(makeTar([{ path: 'package/cli.js', body: 'x' }]), 'package/claude'), { message: 'the archive has no regular file package/claude' });
  await t.rejects(extract(archive.subarray(0, 1024), 'package/claude'), { message: 'the archive ends inside package/claude' });
  const corrupt = Buffer.from(archive);
  corrupt[0] = 0x41;
  await t.rejects(extract(corrupt, 'package/claude'), { message: 'a tar header has a wrong checksum' });
});
