/** Braille spinner frames, one per 80 ms of the clock reading passed in. */
const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'] as const;

/** The spinner frame to show at clock reading `now`: views stay pure, the ticking clock lives in the app. */
export function spinnerFrame(now: number): string {
  return FRAMES[Math.floor(now / 80) % FRAMES.length] ?? FRAMES[0];
}
