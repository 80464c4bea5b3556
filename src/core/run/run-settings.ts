import type { Allowlist } from '../../sandbox/index.js';
import type { MaskedSecret } from '../../sandbox/index.js';
import type { Mount, ResourceLimits } from '../../sandbox/index.js';
import type { ImageSource, RepoSandboxConfig } from '../repo-sandbox/index.js';

/** What a run does: Claude Code with a prompt, or any command. */
export type RunMode = 'prompt' | 'command';

/**
 * The command-line knobs of a run, as `airut sandbox exec` and `airut run`
 * parse them (camelCase of the flag names). Everything is optional.
 */
export interface RunFlags {
  /** Default `prompt`. Command mode works in any directory; prompt mode needs a git repository unless `repo` is given. */
  mode?: RunMode;
  /** The directory mounted at `/workspace`; default: the git root of the working directory. */
  repo?: string;
  dockerfile?: string;
  contextDir?: string;
  allowlist?: string;
  /** `.airut/sandbox.yaml` to read instead. */
  config?: string;
  /** Seconds; overrides `resource_limits.timeout`. */
  timeout?: number;
  /** `podman` (default) or `docker`. */
  containerCommand?: string;
  /** `SRC:DST[:ro]` values. */
  mount?: string[];
  maxImageAge?: number;
  /** Append the network log to this file. */
  networkLog?: string;
  /** Report network lines as they happen. */
  networkLogLive?: boolean;
  /** False turns the network sandbox off (`--no-network-sandbox`). */
  networkSandbox?: boolean;
  egressNetwork?: string;
  upstreamDns?: string;
  /** `HOST=IP` values. */
  upstreamHost?: string[];
  upstreamCa?: string;
  proxyBaseImage?: string;
  /** Continue this Claude session. */
  resume?: string;
  /** Continue the last session of this repository. */
  continue?: boolean;
  model?: string;
  effort?: string;
  /** Work in a fresh git worktree on a new branch instead of the live repository. */
  worktree?: boolean;
  /** Use this Claude Code binary instead of the cache. */
  claudeBinary?: string;
  /** `latest`, `stable` or an exact version for the cache. */
  claudeVersion?: string;
  /** USD this run may spend on Messages API calls (`--budget-usd`), as given; checked when settings are resolved. */
  budgetUsd?: string;
}

/** The operator knobs of the network sandbox. */
export interface RunNetworkSettings {
  egressNetwork?: string;
  upstreamDns?: string;
  upstreamHosts?: Record<string, string>;
  upstreamCaFile?: string;
  proxyBaseImage?: string;
}

/** Claude Code settings of a prompt run. */
export interface RunClaudeSettings {
  binaryPath?: string;
  version?: string;
  model?: string;
  effort?: string;
  /** The session to continue (from `--resume`, or the last one for `--continue`). */
  sessionId?: string;
}

/** Everything a run needs, validated and resolved to absolute paths. Plain data. */
export interface RunSettings {
  mode: RunMode;
  /** Mounted at `/workspace` (unless a worktree replaces it). */
  repoRoot: string;
  /** The git work tree root, when there is one. */
  gitRoot: string | undefined;
  /** `$XDG_STATE_HOME/airut`. */
  stateDir: string;
  /** `$XDG_CACHE_HOME/airut`. */
  cacheDir: string;
  /** `$XDG_DATA_HOME/airut/ca`. */
  caDir: string;
  /** This repository's state (Claude's home, last session). */
  repoStateDir: string;
  image: ImageSource;
  allowlist: Allowlist;
  allowlistPath: string;
  /** `.airut/sandbox.yaml` as read (defaults when absent). */
  config: RepoSandboxConfig;
  /** Container environment: `env`, then `pass_env` (later wins). Never the caller's whole environment. */
  containerEnv: Record<string, string>;
  /** `masked_secrets`, plus Claude's credentials in prompt mode. */
  maskedSecrets: MaskedSecret[];
  networkSandbox: boolean;
  timeoutSeconds: number | undefined;
  resourceLimits: ResourceLimits;
  /** Extra mounts from `--mount`, after the workspace. */
  mounts: Mount[];
  maxImageAgeHours: number | undefined;
  containerCommand: string;
  network: RunNetworkSettings;
  networkLog: string | undefined;
  networkLogLive: boolean;
  claude: RunClaudeSettings;
  worktree: boolean;
  /** `--budget-usd`: the run's cost cap, enforced by its proxy; undefined for none. */
  budgetUsd: number | undefined;
  /** Things worth telling the user before the run (unsupported keys, credentials without a proxy...). */
  warnings: string[];
}
