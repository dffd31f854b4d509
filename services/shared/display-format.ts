/**
 * How durations, counts, rates and fractions are written for people, by `dynsync status`/`runs` and the status
 * page alike (pure). Every function accepts a missing value and writes {@link NONE}.
 */

/** The placeholder of a missing value. */
export const NONE = '-';

/** A duration rounded down to its two largest units: `45s`, `3m05s`, `2h07m`, `3d04h`; `-` when not finite or negative. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return NONE;
  const s = Math.floor(ms / 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${two(s % 60)}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${two(Math.floor((s % 3600) / 60))}m`;
  return `${Math.floor(s / 86_400)}d${two(Math.floor((s % 86_400) / 3600))}h`;
}

/** An integer with `,` thousands separators (`1,234,567`); `-` when not finite. */
export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return NONE;
  const sign = n < 0 ? '-' : '';
  return sign + String(Math.round(Math.abs(n))).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Records per second: one decimal under 10 (`2.5/s`), whole numbers above (`1,234/s`); `-` when unknown. */
export function formatRate(perSec: number | null | undefined): string {
  if (perSec === null || perSec === undefined || !Number.isFinite(perSec) || perSec < 0) return NONE;
  return perSec < 10 ? `${(Math.round(perSec * 10) / 10).toFixed(1)}/s` : `${formatCount(perSec)}/s`;
}

/** An ETA: `done` at 0, `-` when unknown, else a duration. */
export function formatEta(etaMs: number | null | undefined): string {
  return etaMs === 0 ? 'done' : formatDuration(etaMs);
}
