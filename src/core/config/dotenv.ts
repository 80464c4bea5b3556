import { readFile } from 'node:fs/promises';

const DOUBLE_QUOTE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', $: '$' };
const KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/**
 * Parses a `.env` file: `KEY=value` lines, optional `export `, `#` comments
 * (inline only after whitespace, so `a#b` keeps its `#`), single quotes taken
 * literally, double quotes with `\n \t \r \\ \" \$` escapes, quoted values over
 * several lines, CR/CRLF endings. Malformed lines are skipped rather than fatal
 * because the file is shared with other tools; the last duplicate wins.
 */
export function parseDotEnv(text: string): Record<string, string> {
  const source = text.replace(/\r\n?/g, '\n');
  const result: Record<string, string> = {};
  let pos = 0;
  while (pos < source.length) {
    const lineEnd = nextLineEnd(source, pos);
    const line = source.slice(pos, lineEnd);
    const trimmed = line.trimStart();
    if (trimmed === '' || trimmed.startsWith('#')) {
      pos = lineEnd + 1;
      continue;
    }
    const body = trimmed.startsWith('export ') ? trimmed.slice('export '.length).trimStart() : trimmed;
    const eq = body.indexOf('=');
    const key = eq < 0 ? '' : unquoteKey(body.slice(0, eq).trim());
    if (!KEY.test(key)) {
      pos = lineEnd + 1;
      continue;
    }
    // Offset of the value inside the whole source, for values spanning lines.
    const valueStart = lineEnd - (body.length - eq - 1);
    const parsed = parseValue(source, valueStart);
    if (parsed !== undefined) result[key] = parsed.value;
    pos = (parsed?.end ?? lineEnd) + 1;
  }
  return result;
}

function nextLineEnd(source: string, from: number): number {
  const end = source.indexOf('\n', from);
  return end < 0 ? source.length : end;
}

function unquoteKey(key: string): string {
  const quote = key[0];
  if ((quote === '"' || quote === "'") && key.length >= 2 && key.endsWith(quote)) return key.slice(1, -1);
  return key;
}

/** Parses the value starting at `start`; `end` is the index of the line end after it. */
function parseValue(source: string, start: number): { value: string; end: number } | undefined {
  let i = start;
  while (source[i] === ' ' || source[i] === '\t') i++;
  const quote = source[i];
  if (quote === '"' || quote === "'") {
    let value = '';
    for (let j = i + 1; j < source.length; j++) {
      const char = source[j] ?? '';
      if (char === quote) return { value, end: nextLineEnd(source, j) };
      if (char === '\\') {
        const next = source[j + 1] ?? '';
        if (quote === "'" && next === "'") {
          value += "'";
          j++;
        } else if (quote === '"' && next in DOUBLE_QUOTE_ESCAPES) {
          value += DOUBLE_QUOTE_ESCAPES[next];
          j++;
        } else {
          value += char;
        }
        continue;
      }
      value += char;
    }
    return undefined; // unterminated quote: skip the entry
  }
  const end = nextLineEnd(source, i);
  let raw = source.slice(i, end);
  const comment = raw.search(/\s#/);
  if (comment >= 0) raw = raw.slice(0, comment);
  return { value: raw.trimEnd(), end };
}

/**
 * Reads and parses a `.env` file; a missing file is an empty one. Other read
 * failures (permissions, a directory) are thrown as they are.
 */
export async function readDotEnv(file: string): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  return parseDotEnv(text);
}
