/**
 * A one-file image for proving that the engine can start a container: a tiny
 * static ELF program at `/probe` that writes {@link PROBE_OUTPUT} and exits 0.
 *
 * It is assembled here as bytes so the probe needs no registry, no base image,
 * no `ldd` and no host files: the same ~150-byte tarball works on any Linux
 * host of a supported architecture, and `podman/docker import` turns it into an
 * image offline.
 */

/** What the probe program prints to stdout. */
export const PROBE_OUTPUT = 'airut-probe-ok';

/** Path of the program inside the probe image. */
export const PROBE_ENTRY = '/probe';

/** CPU architectures the probe program exists for (Node's `process.arch` names). */
export type ProbeArch = 'x64' | 'arm64';

const LOAD_ADDRESS = 0x400000n;
const ELF_HEADER_SIZE = 64;
const PROGRAM_HEADER_SIZE = 56;

/** True when a probe program can be built for `arch`. */
export function isProbeArch(arch: string): arch is ProbeArch {
  return arch === 'x64' || arch === 'arm64';
}

/**
 * Machine code for write(1, msg, len); exit(0), followed by the message. The
 * message offset is PC-relative, so the code is independent of the load address.
 */
function programCode(arch: ProbeArch): { machine: number; code: Buffer } {
  const message = Buffer.from(`${PROBE_OUTPUT}\n`, 'ascii');
  if (arch === 'x64') {
    const code = Buffer.concat([
      Buffer.from([0xb8, 0x01, 0x00, 0x00, 0x00]), // mov eax, 1 (write)
      Buffer.from([0xbf, 0x01, 0x00, 0x00, 0x00]), // mov edi, 1 (stdout)
      Buffer.from([0x48, 0x8d, 0x35, 0x10, 0x00, 0x00, 0x00]), // lea rsi, [rip+16] (message)
      Buffer.from([0xba, message.length, 0x00, 0x00, 0x00]), // mov edx, len
      Buffer.from([0x0f, 0x05]), // syscall
      Buffer.from([0xb8, 0x3c, 0x00, 0x00, 0x00]), // mov eax, 60 (exit)
      Buffer.from([0x31, 0xff]), // xor edi, edi
      Buffer.from([0x0f, 0x05]), // syscall
      message,
    ]);
    return { machine: 0x3e, code };
  }
  const words = [
    0xd2800020, // mov x0, #1 (stdout)
    0x100000e1, // adr x1, message (+28 bytes)
    0xd2800002 | (message.length << 5), // mov x2, #len
    0xd2800808, // mov x8, #64 (write)
    0xd4000001, // svc #0
    0xd2800000, // mov x0, #0
    0xd2800ba8, // mov x8, #93 (exit)
    0xd4000001, // svc #0
  ];
  const code = Buffer.alloc(words.length * 4);
  words.forEach((word, index) => code.writeUInt32LE(word >>> 0, index * 4));
  return { machine: 0xb7, code: Buffer.concat([code, message]) };
}

/** A complete static ELF64 executable for `arch` (one PT_LOAD segment, no sections). */
export function probeProgram(arch: ProbeArch): Buffer {
  const { machine, code } = programCode(arch);
  const fileSize = BigInt(ELF_HEADER_SIZE + PROGRAM_HEADER_SIZE + code.length);
  const header = Buffer.alloc(ELF_HEADER_SIZE);
  header.write('\x7fELF', 0, 'latin1');
  header[4] = 2; // 64-bit
  header[5] = 1; // little endian
  header[6] = 1; // ELF version
  header.writeUInt16LE(2, 16); // ET_EXEC
  header.writeUInt16LE(machine, 18);
  header.writeUInt32LE(1, 20);
  header.writeBigUInt64LE(LOAD_ADDRESS + BigInt(ELF_HEADER_SIZE + PROGRAM_HEADER_SIZE), 24); // entry
  header.writeBigUInt64LE(BigInt(ELF_HEADER_SIZE), 32); // program headers offset
  header.writeUInt16LE(ELF_HEADER_SIZE, 52);
  header.writeUInt16LE(PROGRAM_HEADER_SIZE, 54);
  header.writeUInt16LE(1, 56); // one program header
  const segment = Buffer.alloc(PROGRAM_HEADER_SIZE);
  segment.writeUInt32LE(1, 0); // PT_LOAD
  segment.writeUInt32LE(5, 4); // read + execute
  segment.writeBigUInt64LE(0n, 8); // file offset
  segment.writeBigUInt64LE(LOAD_ADDRESS, 16);
  segment.writeBigUInt64LE(LOAD_ADDRESS, 24);
  segment.writeBigUInt64LE(fileSize, 32);
  segment.writeBigUInt64LE(fileSize, 40);
  segment.writeBigUInt64LE(0x10000n, 48);
  return Buffer.concat([header, segment, code]);
}

/** A ustar archive holding the probe program as `/probe` (root-owned, mode 0755). */
export function probeImageTar(arch: ProbeArch): Buffer {
  const program = probeProgram(arch);
  const header = Buffer.alloc(512);
  const field = (value: string, offset: number, length: number): void => {
    header.write(value, offset, length, 'ascii');
  };
  const octal = (value: number, length: number): string => value.toString(8).padStart(length - 1, '0');
  field(PROBE_ENTRY.slice(1), 0, 100);
  field(octal(0o755, 8), 100, 8);
  field(octal(0, 8), 108, 8);
  field(octal(0, 8), 116, 8);
  field(octal(program.length, 12), 124, 12);
  field(octal(0, 12), 136, 12);
  field('        ', 148, 8); // checksum is computed with this field as spaces
  field('0', 156, 1);
  field('ustar\u000000', 257, 8);
  field('root', 265, 32);
  field('root', 297, 32);
  let sum = 0;
  for (const byte of header) sum += byte;
  field(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8);
  const padding = Buffer.alloc((512 - (program.length % 512)) % 512);
  return Buffer.concat([header, program, padding, Buffer.alloc(1024)]);
}
