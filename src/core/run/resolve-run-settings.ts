import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { explainRequest } from '../../sandbox/index.js';
import { validateLimits } from '../../sandbox/index.js';
import { configPaths } from '../config/index.js';
import { REPO_SANDBOX_PATHS, loadAllowlist, loadRepoSandboxConfig, readImageSource } from '../repo-sandbox/index.js';
import { ANTHROPIC_API_HOST, claudeCredentials } from './claude-credentials.js';
import { RunError } from './error.js';
import { findGitRoot } from './find-git-root.js';
import { parseMount, parseUpstreamHosts } from './flag-values.js';
import { readLastSession, repoStateDir } from './repo-state.js';
import type { RunFlags, RunSettings } from './run-settings.js';

/** The environment a run is resolved from. */
export type RunEnv = Readonly<Record<string, string | undefined>>;

/**
 * Turns flags, the caller's environment and working directory into
 * {@link RunSettings}: finds the repository, reads and validates its sandbox
 * files, picks up Claude's credentials and the session to continue. Nothing
 * is built or started; every mistake the user can fix is reported here,
 * before any image build.
 *
 * @throws RunError, RepoSandboxError, AllowlistError, TaskError (`TASK_LIMIT_INVALID`) with exit code 125 (1 for none of these).
 */
export async function resolveRunSettings(flags: RunFlags, env: RunEnv, cwd: string, home: string = homedir()): Promise<RunSettings> {
  const mode = flags.mode ?? 'prompt';
  const gitRoot = await findGitRoot(flags.repo === undefined ? cwd : resolve(cwd, flags.repo));
  let repoRoot: string;
  if (flags.repo !== undefined) repoRoot = resolve(cwd, flags.repo);
  else if (gitRoot !== undefined) repoRoot = gitRoot;
  else if (mode === 'command') repoRoot = resolve(cwd);
  else {
    throw new RunError('RUN_NOT_A_GIT_REPO', `${resolve(cwd)} is not inside a git repository`, {
      hint: 'Prompt mode works on a repository: cd into one, run `git init` here, or name the directory with --repo DIR.',
    });
  }
  if (flags.worktree && gitRoot === undefined) {
    throw new RunError('RUN_NOT_A_GIT_REPO', `--worktree needs a git repository, and ${repoRoot} is not inside one`, {
      hint: 'Leave out --worktree to work on the directory itself, or run `git init` first.',
    });
  }
  if (flags.resume !== undefined && flags.continue) {
    throw new RunError('RUN_FLAG_INVALID', '--resume and --continue cannot be used together', {
      hint: '--resume ID continues that session; --continue continues the last session of this repository.',
    });
  }

  const paths = configPaths(env, home);
  const fromRepo = (flag: string | undefined, fallback: string): string => (flag === undefined ? join(repoRoot, fallback) : resolve(cwd, flag));
  const image = await readImageSource(fromRepo(flags.dockerfile, REPO_SANDBOX_PATHS.dockerfile), flags.contextDir === undefined ? undefined : resolve(cwd, flags.contextDir));
  const configPath = fromRepo(flags.config, REPO_SANDBOX_PATHS.config);
  const config = await loadRepoSandboxConfig(configPath, env);
  const allowlistPath = fromRepo(flags.allowlist, REPO_SANDBOX_PATHS.allowlist);
  const { allowlist } = await loadAllowlist(allowlistPath);

  const timeoutSeconds = flags.timeout ?? config.timeoutSeconds;
  validateLimits(timeoutSeconds, config.resourceLimits, flags.timeout === undefined ? configPath : '--timeout');

  const containerEnv: Record<string, string> = { ...config.env };
  for (const name of config.passEnv) {
    const value = env[name];
    if (value !== undefined) containerEnv[name] = value;
  }
  const networkSandbox = flags.networkSandbox ?? config.networkSandbox;
  const budgetUsd = parseBudgetUsd(flags.budgetUsd, networkSandbox);
  const warnings = [...config.unsupported];
  const maskedSecrets = [...config.maskedSecrets];

  const stateDir = repoStateDir(paths.stateDir, repoRoot);
  let sessionId = flags.resume;
  if (mode === 'prompt') {
    const credentials = claudeCredentials(env);
    if (networkSandbox) {
      maskedSecrets.push(...credentials);
      const decision = explainRequest(allowlist, { method: 'POST', host: ANTHROPIC_API_HOST, path: '/v1/messages' });
      if (!decision.allowed) {
        warnings.push(`${allowlistPath} does not allow POST https://${ANTHROPIC_API_HOST}/v1/messages, so Claude Code cannot reach its API${decision.hint ? `; add:\n${decision.hint}` : ''}`);
      }
    } else {
      for (const secret of credentials) containerEnv[secret.name] = secret.value;
      warnings.push(`the network sandbox is off: ${credentials.map((c) => c.name).join(' and ')} enter${credentials.length === 1 ? 's' : ''} the container as the real value`);
    }
    if (flags.continue) {
      sessionId = await readLastSession(stateDir);
      if (sessionId === undefined) {
        throw new RunError('RUN_NO_SESSION', `--continue: no earlier session is recorded for ${repoRoot}`, {
          hint: 'Run once without --continue first, or pass a session id with --resume ID.',
        });
      }
    }
  }

  return {
    mode,
    repoRoot,
    gitRoot,
    stateDir: paths.stateDir,
    cacheDir: paths.cacheDir,
    caDir: join(paths.dataDir, 'ca'),
    repoStateDir: stateDir,
    image,
    allowlist,
    allowlistPath,
    config,
    containerEnv,
    maskedSecrets,
    networkSandbox,
    timeoutSeconds,
    budgetUsd,
    resourceLimits: config.resourceLimits,
    mounts: (flags.mount ?? []).map((value) => parseMount(value, cwd)),
    maxImageAgeHours: flags.maxImageAge,
    containerCommand: flags.containerCommand ?? 'podman',
    network: {
      ...(flags.egressNetwork === undefined ? {} : { egressNetwork: flags.egressNetwork }),
      ...(flags.upstreamDns === undefined ? {} : { upstreamDns: flags.upstreamDns }),
      ...(flags.upstreamHost === undefined || flags.upstreamHost.length === 0 ? {} : { upstreamHosts: parseUpstreamHosts(flags.upstreamHost) }),
      ...(flags.upstreamCa === undefined ? {} : { upstreamCaFile: resolve(cwd, flags.upstreamCa) }),
      ...(flags.proxyBaseImage === undefined ? {} : { proxyBaseImage: flags.proxyBaseImage }),
    },
    networkLog: flags.networkLog === undefined ? undefined : resolve(cwd, flags.networkLog),
    networkLogLive: flags.networkLogLive ?? false,
    claude: {
      ...(flags.claudeBinary === undefined ? {} : { binaryPath: resolve(cwd, flags.claudeBinary) }),
      ...(flags.claudeVersion === undefined ? {} : { version: flags.claudeVersion }),
      ...(flags.model === undefined ? {} : { model: flags.model }),
      ...(flags.effort === undefined ? {} : { effort: flags.effort }),
      ...(sessionId === undefined ? {} : { sessionId }),
    },
    worktree: flags.worktree ?? false,
    warnings,
  };
}

/** `--budget-usd`: an amount of USD > 0. The proxy enforces it, so it needs the network sandbox. */
function parseBudgetUsd(value: string | undefined, networkSandbox: boolean): number | undefined {
  if (value === undefined) return undefined;
  const amount = /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!(amount > 0) || !Number.isFinite(amount)) {
    throw new RunError('RUN_FLAG_INVALID', `--budget-usd ${JSON.stringify(value)} is not an amount of US dollars above 0`, {
      hint: 'Give the most the run may spend on Messages API calls, e.g. --budget-usd 2 or --budget-usd 0.50.',
    });
  }
  if (!networkSandbox) {
    throw new RunError('RUN_FLAG_INVALID', `--budget-usd ${value} needs the network sandbox, whose proxy counts and enforces it, but the sandbox is off`, {
      hint: 'Leave out --no-network-sandbox (or set network_sandbox: true in .airut/sandbox.yaml), or leave out --budget-usd.',
    });
  }
  return amount;
}
