import { chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A temp directory of fake executables to put first on PATH, and the argv log they write. */
export interface FakeTools {
  dir: string;
  /** PATH holding only the fakes (and `cat`, which the fake engine uses): real tools stay out of reach. */
  path: string;
  /** Every recorded call, one `tool arg arg...` line each. */
  calls(): string[];
  cleanup(): void;
}

/**
 * A fake `podman` (also usable as `docker`): `--version` prints FAKE_VERSION,
 * `info` prints FAKE_BACKEND, `import` swallows stdin, `run` behaves per
 * FAKE_RUN (ok | crun | ulimit | other), `rm`/`rmi` succeed. Every call is logged.
 */
const FAKE_ENGINE = `#!/bin/sh
echo "\${0##*/} $*" >> "$FAKE_LOG"
case "$1" in
  --version) echo "\${0##*/} version \${FAKE_VERSION:-4.3.1}" ;;
  info) echo "\${FAKE_BACKEND:-netavark}" ;;
  import) cat > /dev/null; echo sha256:0123 ;;
  run)
    case "\${FAKE_RUN:-ok}" in
      ok) echo airut-probe-ok ;;
      crun) echo 'Error: OCI runtime error: crun: cgroups in hybrid mode not supported, drop all controllers from cgroupv2' >&2; exit 126 ;;
      ulimit) echo 'time="x" level=warning msg="ignored"' >&2; echo 'Error: runc: runc create failed: unable to start container process: error during container init: error setting rlimits for ready process: error setting rlimit type 7: operation not permitted: OCI permission denied' >&2; exit 126 ;;
      *) echo 'Error: something unexpected happened' >&2; exit 125 ;;
    esac ;;
  *) ;;
esac
`;

/** Writes fake executables (name -> script) into a fresh temp dir. */
export function fakeTools(scripts: Record<string, string> = {}): FakeTools {
  const dir = mkdtempSync(join(tmpdir(), 'airut-fake-tools-'));
  const log = join(dir, 'calls.log');
  writeFileSync(log, '');
  symlinkSync('/usr/bin/cat', join(dir, 'cat'));
  for (const [name, script] of Object.entries(scripts)) {
    const file = join(dir, name);
    writeFileSync(file, script.replaceAll('$FAKE_LOG', log));
    chmodSync(file, 0o755);
  }
  return {
    dir,
    path: dir,
    calls: () => readFileSync(log, 'utf8').split('\n').filter(Boolean),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The fake engine script, for `fakeTools({ podman: fakeEngine() })`. */
export function fakeEngine(): string {
  return FAKE_ENGINE;
}

/** A fake tool that logs its call and prints `output` (exit `code`). */
export function fakeTool(output: string, code = 0): string {
  return `#!/bin/sh\necho "\${0##*/} $*" >> "$FAKE_LOG"\nprintf '%s\\n' '${output.replaceAll("'", "'\\''")}'\nexit ${code}\n`;
}
