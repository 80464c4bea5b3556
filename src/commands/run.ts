import { homedir } from 'node:os';
import { text } from 'node:stream/consumers';
import { Args, Errors, Flags } from '@oclif/core';
import { AirutCommand } from '../core/cli/index.js';
import { resolveRunSettings, runPrompt, type PromptRunResult, type RunFlags, type RunSettings } from '../core/run/index.js';
import { watchRunInTerminal, watchRunPlain, type StartRun, type WatchOutcome } from '../core/ui/index.js';
import { isAirutError } from '../sandbox/error.js';

/** Exit code for Airut's own failures, as `airut sandbox exec` uses it. */
const EXIT_AIRUT = 125;

export default class Run extends AirutCommand {
  static override summary = 'Run Claude Code on the current repository in the sandbox and watch it live.';

  static override description = `The same run as airut sandbox exec "PROMPT" (same repository files, sandbox and sessions), shown in a terminal UI: the preparation phases with progress (image build, Claude Code download, network sandbox), the transcript as it happens (Markdown answers, each tool call with a one-line summary, its status and duration), the network sandbox's allowed and blocked requests with the allowlist entry that would allow the last block, and a footer with elapsed time, turns, tokens, cost and the session id.

Keys: q or Ctrl-C stops the task cleanly (a second Ctrl-C forces it), v shows or hides tool results, n shows or hides the network panel. After the answer, type a follow-up and press Enter to continue the same session; Esc or an empty line exits and prints the command that continues later. Without a PROMPT the UI opens on that input line.

When stdout is not a terminal, the same information is printed as plain lines without cursor control, and there are no follow-ups.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> "Fix the failing tests"',
    '<%= config.bin %> <%= command.id %> --resume 908e00fc-a40f-4a47-a438-6e1c9954149a "And add a test"',
    '<%= config.bin %> <%= command.id %> --continue',
    '<%= config.bin %> <%= command.id %> "Summarise the open TODOs" > run.log',
  ];

  static override args = {
    prompt: Args.string({ description: 'The prompt, or "-" to read it from stdin. Omitted: type it in the UI.' }),
  };

  // The prompt-mode flags of `airut sandbox exec` (everything but --json and --network-log-live,
  // which the UI replaces), with the same names, meanings and AIRUT_* variables.
  static override flags = {
    repo: Flags.string({ description: 'Directory mounted at /workspace (default: the git root of the working directory).', env: 'AIRUT_REPO', helpValue: 'DIR' }),
    dockerfile: Flags.string({ description: 'Dockerfile of the image (default .airut/container/Dockerfile).', env: 'AIRUT_DOCKERFILE', helpValue: 'FILE' }),
    'context-dir': Flags.string({ description: 'Directory whose flat files form the build context (default: the Dockerfile\'s).', env: 'AIRUT_CONTEXT_DIR', helpValue: 'DIR' }),
    allowlist: Flags.string({ description: 'Network allowlist (default .airut/network-allowlist.yaml).', env: 'AIRUT_ALLOWLIST', helpValue: 'FILE' }),
    config: Flags.string({ description: 'Sandbox settings of the repository (default .airut/sandbox.yaml).', env: 'AIRUT_SANDBOX_CONFIG', helpValue: 'FILE' }),
    timeout: Flags.integer({ description: 'Wall-clock limit of each run in seconds, at least 10 (overrides resource_limits.timeout).', env: 'AIRUT_TIMEOUT', helpValue: 'SECONDS' }),
    'container-command': Flags.string({ description: 'Container engine: podman (default) or docker.', env: 'AIRUT_CONTAINER_COMMAND', helpValue: 'CMD' }),
    mount: Flags.string({ description: 'Extra bind mount SRC:DST or SRC:DST:ro (repeatable).', multiple: true, multipleNonGreedy: true, helpValue: 'SRC:DST[:ro]' }),
    'max-image-age': Flags.integer({ description: 'Rebuild images older than this many hours; 0 always rebuilds (default 24).', env: 'AIRUT_MAX_IMAGE_AGE', min: 0, helpValue: 'HOURS' }),
    'network-log': Flags.string({ description: 'Append the network log (one line per request) to this file.', env: 'AIRUT_NETWORK_LOG', helpValue: 'FILE' }),
    'network-sandbox': Flags.boolean({ description: 'Put the container behind the allowlist proxy (default on; --no-network-sandbox uses the engine\'s default network).', allowNo: true, env: 'AIRUT_NETWORK_SANDBOX' }),
    'egress-network': Flags.string({ description: 'Existing network for the proxy\'s way out (default airut-cli-egress, created when missing).', env: 'AIRUT_EGRESS_NETWORK', helpValue: 'NAME' }),
    'upstream-dns': Flags.string({ description: 'Resolver the proxy uses for upstream names.', env: 'AIRUT_UPSTREAM_DNS', helpValue: 'IP' }),
    'upstream-host': Flags.string({ description: 'Static address the proxy connects to for a host, HOST=IP (repeatable).', multiple: true, multipleNonGreedy: true, helpValue: 'HOST=IP' }),
    'upstream-ca': Flags.string({ description: 'Extra CA certificates (PEM) the proxy trusts upstream.', env: 'AIRUT_UPSTREAM_CA', helpValue: 'FILE' }),
    'proxy-base-image': Flags.string({ description: 'Image with node to run the proxy from (default: built from this host\'s node).', env: 'AIRUT_PROXY_BASE_IMAGE', helpValue: 'IMAGE' }),
    resume: Flags.string({ description: 'Continue this Claude session.', helpValue: 'SESSION_ID', exclusive: ['continue'] }),
    continue: Flags.boolean({ char: 'c', description: 'Continue the last session of this repository.' }),
    model: Flags.string({ description: 'Claude model (alias or id).', env: 'AIRUT_MODEL', helpValue: 'MODEL' }),
    effort: Flags.string({ description: 'Effort level (low, medium, high...).', env: 'AIRUT_EFFORT', helpValue: 'LEVEL' }),
    worktree: Flags.boolean({ description: 'Work in a fresh git worktree on a new branch (follow-ups stay in it); its path and branch are printed at the end.' }),
    'claude-binary': Flags.string({ description: 'Use this Claude Code binary instead of the downloaded one.', env: 'AIRUT_CLAUDE_BINARY', helpValue: 'FILE' }),
    'claude-version': Flags.string({ description: 'Claude Code version to download: latest (default), stable or an exact version.', env: 'AIRUT_CLAUDE_VERSION', helpValue: 'VERSION' }),
  };

  static override exitCodes = {
    '0': 'The last run finished successfully (or the UI was left before any run).',
    '1': 'The last run ended with any other outcome (timeout, error, prompt too long...); or an empty prompt without a terminal to type one.',
    '125': 'Airut itself failed: bad flags, an invalid .airut file or allowlist, a missing Dockerfile, an image build failure, no credentials.',
    '130': 'Stopped with q, Ctrl-C, SIGINT or SIGTERM; the container, proxy and network are removed.',
  };

  static override environment = {
    ANTHROPIC_API_KEY: 'Claude\'s API key; passed as a masked secret scoped to api.anthropic.com.',
    CLAUDE_CODE_OAUTH_TOKEN: 'Claude\'s OAuth token (alternative to ANTHROPIC_API_KEY), masked the same way.',
    AIRUT_REPO: 'Same as --repo; likewise AIRUT_DOCKERFILE, AIRUT_CONTEXT_DIR, AIRUT_ALLOWLIST, AIRUT_SANDBOX_CONFIG, AIRUT_TIMEOUT, AIRUT_CONTAINER_COMMAND, AIRUT_MAX_IMAGE_AGE, AIRUT_NETWORK_LOG, AIRUT_NETWORK_SANDBOX, AIRUT_EGRESS_NETWORK, AIRUT_UPSTREAM_DNS, AIRUT_UPSTREAM_CA, AIRUT_PROXY_BASE_IMAGE, AIRUT_MODEL, AIRUT_EFFORT, AIRUT_CLAUDE_BINARY and AIRUT_CLAUDE_VERSION for their flags.',
    CONTAINERS_CONF: 'containers.conf podman uses.',
    XDG_STATE_HOME: 'Sessions, worktrees and image build locks live in $XDG_STATE_HOME/airut (default ~/.local/state/airut).',
    XDG_CACHE_HOME: 'Downloaded Claude Code binaries live in $XDG_CACHE_HOME/airut/claude.',
    XDG_DATA_HOME: 'The sandbox CA lives in $XDG_DATA_HOME/airut/ca.',
  };

  static override files = {
    '.airut/container/Dockerfile': 'The repository image; the flat files beside it are its build context.',
    '.airut/network-allowlist.yaml': 'Hosts and URL prefixes the sandbox may reach; the network panel names the entry to add for a block.',
    '.airut/sandbox.yaml': 'env, pass_env, masked_secrets, network_sandbox, resource_limits.',
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Run);
    const runFlags: RunFlags = {
      mode: 'prompt',
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
    const prompt = args.prompt === '-' ? await text(process.stdin) : (args.prompt ?? '');
    const settings = await resolveRunSettings(runFlags, process.env, process.cwd(), homedir());
    let worktree: PromptRunResult['worktree'];
    const start: StartRun = (request, emit) => {
      const run = runPrompt({ settings: followUpSettings(settings, request.resumeSessionId, worktree), prompt: request.prompt }, emit);
      void run.result.then((result) => {
        worktree ??= result.worktree;
      }, () => undefined);
      return run;
    };
    const watch = { prompt, resumeSessionId: settings.claude.sessionId, start };
    const outcome: WatchOutcome = process.stdout.isTTY
      ? await watchRunInTerminal({ ...watch, sandboxed: settings.networkSandbox, stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, allowFollowUp: args.prompt !== '-' })
      : await watchRunPlain({ ...watch, write: (line) => process.stdout.write(line) });
    if (worktree !== undefined) this.log(`Worktree: ${worktree.path} (branch ${worktree.branch})`);
    if (outcome.sessionId !== undefined) this.log(`To continue this session: ${this.config.bin} run --resume ${outcome.sessionId}`);
    process.exitCode = outcome.exitCode;
  }

  protected override async catch(error: Error & { exitCode?: number }): Promise<unknown> {
    if (isAirutError(error)) {
      process.stderr.write(`Error: ${error.message}\n${error.hint ? `Hint: ${error.hint}\n` : ''}`);
      this.exit(error.code === 'RUN_PROMPT_EMPTY' ? 1 : EXIT_AIRUT);
    }
    if (error instanceof Errors.CLIError && !(error instanceof Errors.ExitError)) {
      process.stderr.write(`Error: ${error.message}\nHint: see airut run --help\n`);
      this.exit(EXIT_AIRUT);
    }
    return super.catch(error);
  }
}

/**
 * The settings of one run: the session to continue, and after a first run
 * with --worktree the worktree it made (a follow-up works on in it rather than
 * making another).
 */
function followUpSettings(settings: RunSettings, sessionId: string | undefined, worktree: PromptRunResult['worktree']): RunSettings {
  const claude = { ...settings.claude };
  if (sessionId === undefined) delete claude.sessionId;
  else claude.sessionId = sessionId;
  return worktree === undefined ? { ...settings, claude } : { ...settings, claude, repoRoot: worktree.path, worktree: false };
}
