/**
 * Display formatting of the status page (pure): times in UTC as `2026-03-01 10:00:00Z` and percentages; durations,
 * counts and rates are written as the CLI writes them (shared/display-format.ts). Missing values give `-`.
 */

import { NONE } from '../../../shared/display-format.ts';

/** `2026-03-01 10:00:00Z` (UTC, seconds), or `-` for null, undefined or an invalid time. */
export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return NONE;
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}Z`;
}

/** A fraction in [0, 1] as a whole percentage (`42%`), floored so 99.9% never shows as done; `-` when unknown. */
export function formatPercent(fraction: number | null | undefined): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return NONE;
  return `${Math.floor(Math.min(1, Math.max(0, fraction)) * 100)}%`;
}
