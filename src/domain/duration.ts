/**
 * Durations as people write them in config: `45m`, `4h`, `1h30m`, `2d`, `30s`, `500ms`. Always elapsed time.
 */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const DURATION_PATTERN = /^(?:\d+(?:ms|[smhdw]))+$/;
const PART_PATTERN = /(\d+)(ms|[smhdw])/g;

/** Parses a duration; returns undefined when the text is not one. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!DURATION_PATTERN.test(trimmed)) return undefined;
  let total = 0;
  for (const match of trimmed.matchAll(PART_PATTERN)) {
    total += Number(match[1]) * (UNIT_MS[match[2] as string] as number);
  }
  return total;
}

export const DURATION_HINT = 'a duration like 30s, 45m, 4h, 1h30m or 2d';

/** Formats milliseconds the way the config writes them, largest units first (`1h30m`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  if (rest > 0) parts.push(`${rest}ms`);
  return parts.join('');
}
