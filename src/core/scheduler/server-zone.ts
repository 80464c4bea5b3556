import { readFileSync, readlinkSync } from 'node:fs';

/** Where {@link serverZone} looks; the files are parameters so a test can point them elsewhere. */
export interface ZoneSources {
  env: NodeJS.ProcessEnv;
  timezoneFile?: string;
  localtimeLink?: string;
}

/** True when Intl knows `zone` as an IANA zone. */
export function isKnownZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    // A RangeError is how Intl says the zone is unknown.
    return false;
  }
}

/**
 * The server's IANA zone, the default of schedules without `timezone`: `TZ`
 * (with or without a leading `:`), else `/etc/timezone`, else the zone
 * `/etc/localtime` links to, else UTC. A value that is not a known zone is
 * passed over, so a stray `TZ=EST5EDT`-style string cannot stop the scheduler.
 */
export function serverZone(sources: ZoneSources): string {
  const candidates: (() => string | undefined)[] = [
    () => sources.env.TZ?.replace(/^:/, '').trim(),
    () => readFileSync(sources.timezoneFile ?? '/etc/timezone', 'utf8').trim(),
    () => /zoneinfo\/(.+)$/.exec(readlinkSync(sources.localtimeLink ?? '/etc/localtime'))?.[1],
  ];
  for (const candidate of candidates) {
    let zone: string | undefined;
    try {
      zone = candidate();
    } catch {
      // A missing file or a /etc/localtime that is not a link just means: look at the next source.
      continue;
    }
    if (zone !== undefined && zone !== '' && isKnownZone(zone)) return zone;
  }
  return 'UTC';
}
