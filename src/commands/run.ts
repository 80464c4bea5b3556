import { homedir } from 'node:os';
import { text } from 'node:stream/consumers';
import { Args } from '@oclif/core';
import { AirutCommand, claudeRunFlags, runEnvironment, sandboxRunFlags, toRunFlags } from '../core/cli/index.js';
import type { PromptRunResult, RunSettings } from '../core/run/index.js';
import type { StartRun, WatchOutcome } from '../core/ui/index.js';

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
    ...sandboxRunFlags({ promptModeOnly: false, followUps: true }),
    ...claudeRunFlags({ promptModeOnly: false, followUps: true }),
  };

  // Airut's own failures exit 125 (CLI-06), flag errors too; an empty prompt is the caller's, 1.
  static override failureExitCode = EXIT_AIRUT;
  static override ownExitCodeErrors = ['RUN_PROMPT_EMPTY'];

  static override exitCodes = {
    '0': 'The last run finished successfully (or the UI was left before any run).',
    '1': 'The last run ended with any other outcome (timeout, error, prompt too long...); or an empty prompt without a terminal to type one.',
    '125': 'Airut itself failed: bad flags, an invalid .airut file or allowlist, a missing Dockerfile, an image build failure, no credentials.',
    '130': 'Stopped with q, Ctrl-C, SIGINT or SIGTERM (a second Ctrl-C or signal kills the task at once); the container, proxy and network are removed.',
  };

  static override environment = runEnvironment(Run.flags);

  static override files = {
    '.airut/container/Dockerfile': 'The repository image; the flat files beside it are its build context.',
    '.airut/network-allowlist.yaml': 'Hosts and URL prefixes the sandbox may reach; the network panel names the entry to add for a block. GraphQL root fields (graphql: on a url_prefixes entry) and the domains of Anthropic server tools are filtered as in airut-sandbox-exec(1).',
    '.airut/sandbox.yaml': 'env, pass_env, masked_secrets, signing_credentials, network_sandbox, resource_limits.',
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Run);
    const { resolveRunSettings, runPrompt } = await import('../core/run/index.js');
    const { watchRunInTerminal, watchRunPlain } = await import('../core/ui/index.js');
    const runFlags = toRunFlags('prompt', flags);
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
