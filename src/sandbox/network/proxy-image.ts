import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import type { ContainerRuntime } from '../runtime/index.js';
import { NetworkSandboxError } from './error.js';

/** Where node lives inside an image built from scratch. */
export const SCRATCH_NODE_PATH = '/usr/local/bin/node';

/** The proxy image's name; its tag is a content hash. */
export const PROXY_IMAGE_REPOSITORY = 'localhost/airut-proxy';

/** Label an image carries with its content hash, for inspection. */
export const PROXY_IMAGE_HASH_LABEL = 'io.airut.proxy-image-hash';

/** How to get the proxy image. */
export interface ProxyImageOptions {
  /**
   * Image name without tag; default {@link PROXY_IMAGE_REPOSITORY}. The tag is
   * the content hash, so every instance on the host shares one image.
   */
  repository?: string;
  /**
   * An image that already has `node` (>= 20) on its PATH. When unset, the image
   * is assembled from scratch out of the host's own node binary and libraries.
   */
  baseImage?: string;
  /** The node binary to copy into a scratch image. Defaults to the running one. */
  nodePath?: string;
  /** Lists the shared libraries a binary loads. Defaults to parsing `ldd`. */
  listLibraries?: (binary: string) => Promise<string[]>;
  /** Directory for the temporary build context. Defaults to the OS temp dir. */
  tmpDir?: string;
}

/** The image to run the proxy from, and how it came about. */
export interface ProxyImage {
  tag: string;
  /** False when an image with this content hash already existed. */
  built: boolean;
}

// Name-service config so glibc resolves through /etc/hosts (podman writes it) then DNS.
const NSSWITCH = 'passwd: files\ngroup: files\nhosts: files dns\n';
const PASSWD = 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/:/sbin/nologin\n';
const GROUP = 'root:x:0:\nnogroup:x:65534:\n';

/**
 * Returns the proxy image, building it when no image with the same content
 * hash exists. No registry is contacted: the scratch variant holds nothing but
 * the host's node binary, the libraries `ldd` lists (at the same paths) and a
 * few lines of /etc; the base-image variant only adds an entrypoint on top of
 * an image the operator already has. The build context is a temp directory
 * removed afterwards.
 */
export async function ensureProxyImage(runtime: ContainerRuntime, options: ProxyImageOptions = {}): Promise<ProxyImage> {
  const plan = options.baseImage === undefined
    ? await planScratchImage(options.nodePath ?? process.execPath, options.listLibraries ?? lddLibraries)
    : await planBaseImage(runtime, options.baseImage);
  const tag = `${options.repository ?? PROXY_IMAGE_REPOSITORY}:${plan.hash.slice(0, 16)}`;
  if ((await runtime.call(['image', 'exists', tag])).exitCode === 0) {
    return { tag, built: false };
  }
  const context = await mkdtemp(join(options.tmpDir ?? tmpdir(), 'airut-proxy-image-'));
  try {
    for (const [from, to] of plan.copies) {
      const target = join(context, 'rootfs', to);
      await mkdir(dirname(target), { recursive: true });
      await copyFile(from, target);
    }
    for (const [path, text] of plan.files) {
      const target = join(context, 'rootfs', path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, text);
    }
    await mkdir(join(context, 'rootfs', 'tmp'), { recursive: true });
    await writeFile(join(context, 'Containerfile'), plan.containerfile(plan.hash));
    const result = await runtime.call(['build', '--network', 'none', '--pull=never', '-q', '-t', tag, '-f', join(context, 'Containerfile'), context]);
    if (result.exitCode !== 0) {
      throw new NetworkSandboxError('NETWORK_PROXY_IMAGE_FAILED', `building the proxy image ${tag} failed: ${result.stderr.trim().split('\n').slice(-3).join(' / ')}`);
    }
    return { tag, built: true };
  } finally {
    await rm(context, { recursive: true, force: true });
  }
}

interface ImagePlan {
  hash: string;
  /** Host file -> absolute path in the image. */
  copies: [string, string][];
  /** Absolute path in the image -> contents. */
  files: [string, string][];
  containerfile: (hash: string) => string;
}

async function planScratchImage(nodePath: string, listLibraries: (binary: string) => Promise<string[]>): Promise<ImagePlan> {
  const libraries = [...new Set(await listLibraries(nodePath))].sort();
  const copies: [string, string][] = [[nodePath, SCRATCH_NODE_PATH], ...libraries.map((lib): [string, string] => [lib, lib])];
  const files: [string, string][] = [['/etc/nsswitch.conf', NSSWITCH], ['/etc/passwd', PASSWD], ['/etc/group', GROUP]];
  const hash = createHash('sha256');
  hash.update('scratch-v1\n');
  for (const [from, to] of copies) {
    hash.update(`${to}\n${await fileHash(from)}\n`);
  }
  for (const [path, text] of files) {
    hash.update(`${path}\n${text}\n`);
  }
  return {
    hash: hash.digest('hex'),
    copies,
    files,
    containerfile: (h) => [
      'FROM scratch',
      'COPY rootfs/ /',
      `LABEL ${PROXY_IMAGE_HASH_LABEL}=${h}`,
      `ENTRYPOINT ["${SCRATCH_NODE_PATH}"]`,
      '',
    ].join('\n'),
  };
}

async function planBaseImage(runtime: ContainerRuntime, baseImage: string): Promise<ImagePlan> {
  const inspect = await runtime.call(['image', 'inspect', '--format', '{{.Id}}', baseImage]);
  if (inspect.exitCode !== 0) {
    throw new NetworkSandboxError('NETWORK_PROXY_BASE_NO_NODE', `proxy base image "${baseImage}" (network.proxy_base_image) is not present locally`, {
      hint: `Pull or build it first (podman pull ${baseImage}); Airut never pulls it itself.`,
    });
  }
  const probe = await runtime.call(['run', '--rm', '--network', 'none', '--entrypoint', 'node', baseImage, '-p', 'process.versions.node']);
  const major = Number(/^(\d+)\./.exec(probe.stdout.trim())?.[1] ?? NaN);
  if (probe.exitCode !== 0 || !(major >= 20)) {
    throw new NetworkSandboxError('NETWORK_PROXY_BASE_NO_NODE', `proxy base image "${baseImage}" (network.proxy_base_image) has no node >= 20 on its PATH${probe.stdout.trim() ? ` (found ${probe.stdout.trim()})` : ''}`, {
      hint: 'Choose an image with Node.js 20 or newer (e.g. a node:20-slim you pulled), or unset network.proxy_base_image to build one from the host\'s node.',
    });
  }
  const hash = createHash('sha256').update(`base-v1\n${inspect.stdout.trim()}\n`).digest('hex');
  return {
    hash,
    copies: [],
    files: [],
    containerfile: (h) => [
      `FROM ${baseImage}`,
      `LABEL ${PROXY_IMAGE_HASH_LABEL}=${h}`,
      'ENTRYPOINT ["node"]',
      '',
    ].join('\n'),
  };
}

/**
 * The absolute paths of the libraries `ldd` says a binary loads, including the
 * dynamic loader; the kernel's vdso has no file and is left out.
 */
export async function lddLibraries(binary: string): Promise<string[]> {
  const result = await execa('ldd', [binary], { reject: false });
  if (result.exitCode !== 0) {
    // A static binary: ldd says "not a dynamic executable" and it needs no libraries.
    if (/not a dynamic executable|statically linked/i.test(`${result.stdout}${result.stderr}`)) {
      return [];
    }
    throw new NetworkSandboxError('NETWORK_PROXY_IMAGE_FAILED', `ldd ${binary} failed: ${result.stderr.trim() || result.stdout.trim()}`, {
      hint: 'Install ldd (Debian: libc-bin), or set network.proxy_base_image to an image that has node.',
    });
  }
  return parseLddOutput(result.stdout);
}

/** Library paths from `ldd` output (`name => /path (addr)` and `/path (addr)` lines). */
export function parseLddOutput(text: string): string[] {
  const paths: string[] = [];
  for (const line of text.split('\n')) {
    const match = /(?:=>\s*)?(\/\S+)\s+\(0x[0-9a-f]+\)/.exec(line);
    if (match?.[1]) {
      paths.push(match[1]);
    }
  }
  return paths;
}

async function fileHash(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}
