/**
 * The `allow N` command in a user's message. The rule, so that the words are
 * only taken when the user plainly meant them:
 *
 * - a line of its own: `allow` followed by one or more whole numbers,
 *   separated by spaces and/or commas (`allow 1 3`, `allow 1, 3`, `Allow 2`),
 *   nothing else on the line but surrounding whitespace;
 * - at most three spaces of indentation (four make a Markdown code block);
 * - not inside a fenced code block (``` or ~~~);
 * - never a quoted line (`> allow 1`): such a line does not start with `allow`.
 *
 * `allow 1` inside a sentence, in backticks, after a bullet or with trailing
 * words does not count. Several command lines add up. The caller passes the
 * new text of an authenticated user message only (quoted history already
 * removed by the channel); nothing the agent wrote is ever parsed.
 */

const COMMAND = /^ {0,3}allow((?:[ \t]*,?[ \t]*\d{1,6})+)[ \t]*$/i;
const FENCE = /^ {0,3}(```|~~~)/;

/**
 * The entry numbers `text` asks to allow, in order of first mention, each
 * once; undefined when the text holds no `allow` command line.
 */
export function parseAllowCommand(text: string): number[] | undefined {
  let fenced = false;
  let found = false;
  const numbers: number[] = [];
  for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
    if (FENCE.test(line)) {
      fenced = !fenced;
      continue;
    }
    if (fenced) continue;
    const match = COMMAND.exec(line);
    // `allow1` is not the command: a space must separate the word from the first number.
    if (match === null || !/^[ \t]/.test(match[1] as string)) continue;
    found = true;
    for (const digits of (match[1] as string).match(/\d+/g) ?? []) {
      const n = Number(digits);
      if (!numbers.includes(n)) numbers.push(n);
    }
  }
  return found ? numbers : undefined;
}
