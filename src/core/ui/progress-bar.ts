import { formatBytes } from './format-units.js';

const BAR_WIDTH = 24;

/** `[██████░░░░] 12.3 MB / 200.0 MB 6%`, or bytes alone when the total is unknown. */
export function downloadBar(bytes: number, total: number | undefined): string {
  if (total === undefined || total <= 0) return `${formatBytes(bytes)} downloaded`;
  const ratio = Math.min(1, Math.max(0, bytes / total));
  const filled = Math.round(ratio * BAR_WIDTH);
  return `[${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}] ${formatBytes(bytes)} / ${formatBytes(total)} ${Math.floor(ratio * 100)}%`;
}
