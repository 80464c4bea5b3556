import { Flags, type Interfaces } from '@oclif/core';
import type { RunFlags, RunMode } from '../run/index.js';

/**
 * How the commands that share the run flags word them: `airut sandbox exec`
 * also has a command mode, `airut run` continues with follow-ups.
 */
export interface RunFlagWording {
  /** The command also runs plain commands, so Claude-only flags say "Prompt mode:". */
  promptModeOnly: boolean;
  /** One invocation may run several times in the same session (follow-ups). */
  followUps: boolean;
}

function sandboxFlagsBefore(wording: RunFlagWording) {
  return {
    repo: Flags.string({ description: 'Directory mounted at /workspace (default: the git root of the working directory).', env: 'AIRUT_REPO', helpValue: 'DIR' }),
    dockerfile: Flags.string({ description: 'Dockerfile of the image (default .airut/container/Dockerfile).', env: 'AIRUT_DOCKERFILE', helpValue: 'FILE' }),
    'context-dir': Flags.string({ description: 'Directory whose flat files form the build context (default: the Dockerfile\'s).', env: 'AIRUT_CONTEXT_DIR', helpValue: 'DIR' }),
    allowlist: Flags.string({ description: 'Network allowlist (default .airut/network-allowlist.yaml).', env: 'AIRUT_ALLOWLIST', helpValue: 'FILE' }),
    config: Flags.string({ description: 'Sandbox settings of the repository (default .airut/sandbox.yaml).', env: 'AIRUT_SANDBOX_CONFIG', helpValue: 'FILE' }),
    timeout: Flags.integer({
      description: `Wall-clock limit${wording.followUps ? ' of each run' : ''} in seconds, at least 10 (overrides resource_limits.timeout).`,
      env: 'AIRUT_TIMEOUT',
      helpValue: 'SECONDS',
    }),
    'container-command': Flags.string({ description: 'Container engine: podman (default) or docker.', env: 'AIRUT_CONTAINER_COMMAND', helpValue: 'CMD' }),
    mount: Flags.string({ description: 'Extra bind mount SRC:DST or SRC:DST:ro (repeatable).', multiple: true, multipleNonGreedy: true, helpValue: 'SRC:DST[:ro]' }),
    'max-image-age': Flags.integer({ description: 'Rebuild images older than this many hours; 0 always rebuilds (default 24).', env: 'AIRUT_MAX_IMAGE_AGE', min: 0, helpValue: 'HOURS' }),
    'network-log': Flags.string({ description: 'Append the network log (one line per request) to this file.', env: 'AIRUT_NETWORK_LOG', helpValue: 'FILE' }),
  };
}

const networkLogLive = {
  'network-log-live': Flags.boolean({ description: 'Print network log lines to stderr as they happen, prefixed "[net]".', env: 'AIRUT_NETWORK_LOG_LIVE' }),
};

function sandboxFlagsAfter() {
  return {
    'network-sandbox': Flags.boolean({ description: 'Put the container behind the allowlist proxy (default on; --no-network-sandbox uses the engine\'s default network).', allowNo: true, env: 'AIRUT_NETWORK_SANDBOX' }),
    'egress-network': Flags.string({ description: 'Existing network for the proxy\'s way out (default airut-cli-egress, created when missing).', env: 'AIRUT_EGRESS_NETWORK', helpValue: 'NAME' }),
    'upstream-dns': Flags.string({ description: 'Resolver the proxy uses for upstream names.', env: 'AIRUT_UPSTREAM_DNS', helpValue: 'IP' }),
    'upstream-host': Flags.string({ description: 'Static address the proxy connects to for a host, HOST=IP (repeatable).', multiple: true, multipleNonGreedy: true, helpValue: 'HOST=IP' }),
    'upstream-ca': Flags.string({ description: 'Extra CA certificates (PEM) the proxy trusts upstream.', env: 'AIRUT_UPSTREAM_CA', helpValue: 'FILE' }),
    'proxy-base-image': Flags.string({ description: 'Image with node to run the proxy from (default: built from this host\'s node).', env: 'AIRUT_PROXY_BASE_IMAGE', helpValue: 'IMAGE' }),
  };
}

/** The sandbox flags without `--network-log-live`. */
export type SandboxRunFlagsInput = ReturnType<typeof sandboxFlagsBefore> & ReturnType<typeof sandboxFlagsAfter>;

/** The sandbox flags with `--network-log-live`. */
export type LiveSandboxRunFlagsInput = SandboxRunFlagsInput & typeof networkLogLive;

/**
 * Flags of the container and its network sandbox (image, allowlist, limits,
 * mounts, network log, proxy), the same for both run commands. With
 * `liveNetworkLog`, `--network-log-live` sits after `--network-log`: help and
 * manual pages list flags in this order.
 */
export function sandboxRunFlags(wording: RunFlagWording & { liveNetworkLog: true }): LiveSandboxRunFlagsInput;
export function sandboxRunFlags(wording: RunFlagWording & { liveNetworkLog?: false }): SandboxRunFlagsInput;
export function sandboxRunFlags(wording: RunFlagWording & { liveNetworkLog?: boolean }): SandboxRunFlagsInput | LiveSandboxRunFlagsInput {
  const live = wording.liveNetworkLog === true ? networkLogLive : {};
  return { ...sandboxFlagsBefore(wording), ...live, ...sandboxFlagsAfter() };
}

/**
 * Flags of the Claude session (resume, model, effort, binary) and of
 * `--worktree`, which applies in every mode and so never says "Prompt mode:".
 */
export function claudeRunFlags(wording: RunFlagWording) {
  // Written to follow "Prompt mode: "; standing alone they start with a capital.
  const prompt = (text: string): string => (wording.promptModeOnly ? `Prompt mode: ${text}` : `${text.charAt(0).toUpperCase()}${text.slice(1)}`);
  return {
    resume: Flags.string({ description: prompt('continue this Claude session.'), helpValue: 'SESSION_ID', exclusive: ['continue'] }),
    continue: Flags.boolean({ char: 'c', description: prompt('continue the last session of this repository.') }),
    model: Flags.string({ description: prompt('Claude model (alias or id).'), env: 'AIRUT_MODEL', helpValue: 'MODEL' }),
    effort: Flags.string({ description: prompt('effort level (low, medium, high...).'), env: 'AIRUT_EFFORT', helpValue: 'LEVEL' }),
    worktree: Flags.boolean({
      description: `Work in a fresh git worktree on a new branch${wording.followUps ? ' (follow-ups stay in it)' : ''}; its path and branch are printed at the end.`,
    }),
    'claude-binary': Flags.string({ description: prompt('use this Claude Code binary instead of the downloaded one.'), env: 'AIRUT_CLAUDE_BINARY', helpValue: 'FILE' }),
    'claude-version': Flags.string({ description: prompt('Claude Code version to download: latest (default), stable or an exact version.'), env: 'AIRUT_CLAUDE_VERSION', helpValue: 'VERSION' }),
  };
}

/** The shared run flags as oclif parses them; `--network-log-live` only where the command has it. */
export type ParsedRunFlags = Omit<Interfaces.InferredFlags<SandboxRunFlagsInput & ReturnType<typeof claudeRunFlags>>, 'json'> & {
  'network-log-live'?: boolean;
};

/** Turns the parsed shared flags into the {@link RunFlags} that `resolveRunSettings` reads. */
export function toRunFlags(mode: RunMode, flags: ParsedRunFlags): RunFlags {
  return {
    mode,
    repo: flags.repo,
    dockerfile: flags.dockerfile,
    contextDir: flags['context-dir'],
    allowlist: flags.allowlist,
    config: flags.config,
    timeout: flags.timeout,
    containerCommand: flags['container-command'],
    mount: flags.mount,
    maxImageAge: flags['max-image-age'],
    networkLog: flags['network-log'],
    networkLogLive: flags['network-log-live'],
    networkSandbox: flags['network-sandbox'],
    egressNetwork: flags['egress-network'],
    upstreamDns: flags['upstream-dns'],
    upstreamHost: flags['upstream-host'],
    upstreamCa: flags['upstream-ca'],
    proxyBaseImage: flags['proxy-base-image'],
    resume: flags.resume,
    continue: flags.continue,
    model: flags.model,
    effort: flags.effort,
    worktree: flags.worktree,
    claudeBinary: flags['claude-binary'],
    claudeVersion: flags['claude-version'],
  };
}

/**
 * The manual's environment entries of a run command: the credentials, the
 * AIRUT_* variable of each flag (in flag order), and the paths that move
 * with the XDG variables.
 */
export function runEnvironment(flags: Readonly<Record<string, { env?: string | undefined }>>): Record<string, string> {
  const names = Object.values(flags).flatMap((flag) => (flag.env === undefined ? [] : [flag.env]));
  const [first, ...rest] = names;
  const firstFlag = Object.entries(flags).find(([, flag]) => flag.env === first)?.[0];
  const likewise = rest.length > 1 ? `${rest.slice(0, -1).join(', ')} and ${rest.at(-1) ?? ''}` : rest.join('');
  const environment: Record<string, string> = {
    ANTHROPIC_API_KEY: 'Claude\'s API key; passed as a masked secret scoped to api.anthropic.com.',
    CLAUDE_CODE_OAUTH_TOKEN: 'Claude\'s OAuth token (alternative to ANTHROPIC_API_KEY), masked the same way.',
  };
  if (first !== undefined && firstFlag !== undefined) {
    environment[first] = `Same as --${firstFlag}${rest.length > 0 ? `; likewise ${likewise} for their flags` : ''}.`;
  }
  return {
    ...environment,
    CONTAINERS_CONF: 'containers.conf podman uses.',
    XDG_STATE_HOME: 'Sessions, worktrees and image build locks live in $XDG_STATE_HOME/airut (default ~/.local/state/airut).',
    XDG_CACHE_HOME: 'Downloaded Claude Code binaries live in $XDG_CACHE_HOME/airut/claude.',
    XDG_DATA_HOME: 'The sandbox CA lives in $XDG_DATA_HOME/airut/ca.',
  };
}
