import { isAbsolute, join } from 'node:path';

/**
 * Where Claude Code binaries are cached by default:
 * `$XDG_CACHE_HOME/airut/claude`, or `~/.cache/airut/claude` when the variable is
 * unset or not absolute (as the XDG spec requires).
 */
export function defaultClaudeCacheDir(env: Readonly<Record<string, string | undefined>>, homedir: string): string {
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(homedir, '.cache');
  return join(base, 'airut', 'claude');
}
