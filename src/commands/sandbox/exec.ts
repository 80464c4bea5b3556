import { homedir } from 'node:os';
import { text } from 'node:stream/consumers';
import { Args, Errors, Flags } from '@oclif/core';
import { AirutCommand, claudeRunFlags, runEnvironment, sandboxRunFlags, toRunFlags } from '../../core/cli/index.js';
import type { RunEvent } from '../../core/run/index.js';

/** Exit code for Airut's own failures, apart from anything the command can return. */
const EXIT_AIRUT = 125;
/** Prompt mode: the run reached a spending cap (outcome budget_exceeded). */
const EXIT_BUDGET = 3;

export default class SandboxExec extends AirutCommand {
  static override summary = 'Run Claude Code with a prompt, or any command, in the sandbox on the current repository.';

  static override description = `Two modes.

Prompt mode, airut sandbox exec "PROMPT" (or "-" to read the prompt from stdin): runs Claude Code headless on the repository (the git root of the working directory, or --repo) mounted at /workspace, behind the network sandbox. The final response (Markdown) goes to stdout, progress to stderr along with what Claude Code itself writes there (as [claude] lines); --json prints the whole result as JSON instead. ANTHROPIC_API_KEY or CLAUDE_CODE_OAUTH_TOKEN is passed as a masked secret scoped to api.anthropic.com: the container only sees a stand-in, the proxy adds the real value on the way out. Sessions are kept per repository under the state directory, so --continue picks up the last one and --resume ID a given one.

Command mode, airut sandbox exec -- CMD [ARGS...]: runs the command in the same container setup (no shell unless you call one) and streams its output as it is written. Exits with the command's own code, 124 on timeout, 137 when the container was killed, 125 when Airut itself failed.

The image comes from the repository's .airut/container/Dockerfile and the flat files beside it (give it WORKDIR /workspace); the network allowlist from .airut/network-allowlist.yaml (missing: everything is blocked); environment, masked secrets, resource limits and the network switch from .airut/sandbox.yaml. Every run has its own execution context, so several runs in one repository at once do not disturb each other.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> "Fix the failing tests"',
    'git diff | <%= config.bin %> <%= command.id %> -',
    '<%= config.bin %> <%= command.id %> --continue "Now add a test for it"',
    '<%= config.bin %> <%= command.id %> --worktree --json "Update the changelog"',
    '<%= config.bin %> <%= command.id %> -- npm test',
    '<%= config.bin %> <%= command.id %> --timeout 600 --network-log net.log -- sh -c "npm ci && npm test"',
  ];

  static override strict = false;

  static override args = {
    prompt: Args.string({ description: 'The prompt, or "-" to read it from stdin. Omit it and put a command after "--" for command mode.' }),
  };

  static override flags = {
    ...sandboxRunFlags({ promptModeOnly: true, followUps: false, liveNetworkLog: true }),
    json: Flags.boolean({ description: 'Prompt mode: print the result as JSON on stdout instead of the response.' }),
    'budget-usd': Flags.string({
      description: 'The most this run may spend on Messages API calls, in USD (e.g. 2 or 0.50), counted by the proxy from the usage of each response; past it the proxy refuses further calls and the run ends with outcome budget_exceeded. Needs the network sandbox.',
      env: 'AIRUT_BUDGET_USD',
    }),
    ...claudeRunFlags({ promptModeOnly: true, followUps: false }),
  };

  // Airut's own failures exit 125 (CLI-06), flag errors too; an empty prompt is the caller's, 1.
  static override failureExitCode = EXIT_AIRUT;
  static override ownExitCodeErrors = ['RUN_PROMPT_EMPTY'];

  static override exitCodes = {
    '0': 'Prompt mode: Claude finished successfully. Command mode: the command exited 0.',
    '1': 'Prompt mode: any other outcome (timeout, error, prompt too long...), with its summary on stderr; or an empty prompt.',
    '3': 'Prompt mode: the run reached its --budget-usd cap (outcome budget_exceeded): the proxy refused further Messages API calls; stderr says what was spent of the limit.',
    '124': 'Command mode: the timeout passed and the container was removed.',
    '125': 'Airut itself failed: bad flags, an invalid .airut file or allowlist, a missing Dockerfile, an image build failure, no credentials; or the network proxy died or stopped answering during the run (outcome proxy_failed), which ends the run at once.',
    '130': 'Stopped by SIGINT or SIGTERM (a second one kills the task at once); the container, proxy and network are removed.',
    '137': 'Command mode: the container was killed (often the memory limit).',
    'other': 'Command mode: the command\'s own exit code.',
  };

  static override environment = runEnvironment(SandboxExec.flags);

  static override files = {
    '.airut/container/Dockerfile': 'The repository image; the flat files beside it are its build context.',
    '.airut/network-allowlist.yaml': 'Hosts and URL prefixes the sandbox may reach (domains, url_prefixes). A url_prefixes entry may carry graphql: {queries, mutations, subscriptions} to allow only those root fields (e.g. host: api.github.com, path: /graphql, methods: [POST], graphql: {queries: [repository, viewer]}). Bodies of POST https://api.anthropic.com/v1/messages* are read: server tools (web_fetch, web_search, ...) may only reach hosts the allowlist opens for GET, so allowed_domains is trimmed to them and [] is set where none is given; blocked_domains and wildcards are refused. A body that cannot be read (an unknown Content-Encoding, invalid JSON, over the size cap) is refused with 403, never forwarded unread.',
    '.airut/sandbox.yaml': 'env, pass_env (!env NAME reads the caller\'s environment; unset fails), masked_secrets, signing_credentials, network_sandbox, resource_limits.',
    '~/.local/state/airut/cli/': 'Per repository: Claude\'s sessions, the last session id (--continue), worktrees.',
  };

  async run(): Promise<void> {
    const separator = this.argv.indexOf('--');
    const command = separator === -1 ? undefined : this.argv.slice(separator + 1);
    const { args, flags, argv } = await this.parse(SandboxExec, separator === -1 ? this.argv : this.argv.slice(0, separator));
    if (command !== undefined && argv.length > 0) {
      throw new Errors.CLIError(`give either a prompt or a command after "--", not both (got ${JSON.stringify(argv[0])} before "--")`);
    }
    if (command === undefined && argv.length > 1) {
      throw new Errors.CLIError(`unexpected argument ${JSON.stringify(argv[1])}: quote the prompt as one argument, or put a command after "--"`);
    }
    // Loaded only now: flag errors and --help need none of the run machinery.
    const { EXIT_KILLED, checkPrompt, describeBudget, commandExitCode, createProgressFormatter, resolveRunSettings, runCommand, runPrompt } = await import('../../core/run/index.js');
    const runFlags = { ...toRunFlags(command === undefined ? 'prompt' : 'command', flags), ...(flags['budget-usd'] === undefined ? {} : { budgetUsd: flags['budget-usd'] }) };
    const tty = Boolean(process.stderr.isTTY);
    const format = createProgressFormatter({ networkLive: runFlags.networkLogLive, tty });
    const progress = (event: RunEvent): void => {
      const line = format(event);
      if (line !== undefined) process.stderr.write(line);
    };

    if (command !== undefined) {
      const settings = await resolveRunSettings(runFlags, process.env, process.cwd(), homedir());
      const run = runCommand({
        settings,
        argv: command,
        onStdout: (line) => { process.stdout.write(line); },
        onStderr: (line) => { process.stderr.write(line); },
      }, progress);
      const result = await this.untilDone(run);
      const code = commandExitCode(result);
      if (result.proxyFailure !== undefined) process.stderr.write(`airut: the network sandbox's proxy failed, so the command was stopped (exit 125): ${result.proxyFailure}\n`);
      else if (result.budget !== undefined) process.stderr.write(`airut: ${describeBudget(result.budget)}\n`);
      else if (result.timedOut) process.stderr.write(`airut: the command timed out after ${String(settings.timeoutSeconds)} s; the container was removed\n`);
      else if (code === EXIT_KILLED) process.stderr.write('airut: the container was killed (exit 137), often by the memory limit: consider raising resource_limits.memory in .airut/sandbox.yaml\n');
      if (result.worktree) process.stderr.write(`airut: worktree ${result.worktree.path} on branch ${result.worktree.branch}\n`);
      process.exitCode = code;
      return;
    }

    const prompt = args.prompt === '-' ? await text(process.stdin) : (args.prompt ?? '');
    checkPrompt(prompt);
    const settings = await resolveRunSettings(runFlags, process.env, process.cwd(), homedir());
    const { ReceiptCollector, receiptParagraph } = await import('../../core/receipt/index.js');
    const tally = new ReceiptCollector();
    const run = runPrompt({ settings, prompt }, (event) => { tally.observe(event); progress(event); });
    const result = await this.untilDone(run);
    const receipt = tally.receipt({ result, approvals: [] });
    if (flags.json) process.stdout.write(`${JSON.stringify({ ...result, receipt }, null, 2)}\n`);
    else if (result.outcome === 'success') process.stdout.write(result.responseText.endsWith('\n') ? result.responseText : `${result.responseText}\n`);
    if (!flags.json) process.stderr.write(`airut: ${receiptParagraph(receipt, { showCost: true })}\n`);
    if (result.outcome !== 'success') {
      process.stderr.write(`airut: the run ended with outcome ${result.outcome}${result.errorSummary ? `:\n${result.errorSummary}` : ''}\n`);
    }
    if (result.sessionId !== '') process.stderr.write(`airut: session ${result.sessionId} (continue with: airut sandbox exec --continue "...")\n`);
    if (result.worktree) process.stderr.write(`airut: worktree ${result.worktree.path} on branch ${result.worktree.branch}\n`);
    process.exitCode = result.stopped ? 130 : result.outcome === 'success' ? 0 : result.outcome === 'proxy_failed' ? EXIT_AIRUT : result.outcome === 'budget_exceeded' ? EXIT_BUDGET : 1;
  }

  /**
   * Waits for the run. The first SIGINT or SIGTERM stops it cleanly, a second
   * one kills the task at once; either way the container, proxy and network
   * are removed before the command exits.
   */
  private async untilDone<T>(run: { result: Promise<T>; stop(): Promise<void>; kill(): Promise<void> }): Promise<T> {
    let signals = 0;
    const onSignal = (): void => {
      signals++;
      if (signals === 1) {
        process.stderr.write('airut: stopping the task (interrupt again to kill it)\n');
        void run.stop();
      } else {
        process.stderr.write('airut: killing the task\n');
        void run.kill();
      }
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      return await run.result;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
}
