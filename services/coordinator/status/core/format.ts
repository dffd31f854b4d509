/**
 * Display formatting of the status page (pure): times in UTC as `2026-03-01 10:00:00Z`, durations as `1h 02m`,
 * counts with thousands separators, rates per second. Every function accepts missing values and returns `-`.
 */

/** The placeholder of a missing value. */
export const NONE = '-';

/** `2026-03-01 10:00:00Z` (UTC, seconds), or `-` for null, undefined or an invalid time. */
export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return NONE;
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}Z`;
}

/** A duration rounded down to its two largest units: `45s`, `3m 05s`, `2h 07m`, `3d 04h`; `-` when not finite or negative. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return NONE;
  const s = Math.floor(ms / 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m`;
  return `${Math.floor(s / 86_400)}d ${pad(Math.floor((s % 86_400) / 3600))}h`;
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

/** A fraction in [0, 1] as a whole percentage (`42%`), floored so 99.9% never shows as done; `-` when unknown. */
export function formatPercent(fraction: number | null | undefined): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return NONE;
  return `${Math.floor(Math.min(1, Math.max(0, fraction)) * 100)}%`;
}
