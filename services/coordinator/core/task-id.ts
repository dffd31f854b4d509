/**
 * Task ids (pure). A root task id names its run, table and window, `<runId>/<table>/<from>_<to>` with compact UTC
 * times (`20260101T000000Z`), so the fold can recover every root window from the RunStarted event alone. Ids are
 * stable: planning the same run again yields the same ids.
 */
import type { Window } from './windows.ts';
import { windowPartOf } from './delta-task.ts';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `20260101T000000Z` for epoch ms on a whole second. */
export function compactTime(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
}

const COMPACT = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** Epoch ms of a {@link compactTime} string, or null. */
export function parseCompactTime(text: string): number | null {
  const m = COMPACT.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  return compactTime(ms) === text ? ms : null;
}

/** The id of the root task of `table` for `window` in run `runId`. */
export function rootTaskId(runId: string, table: string, window: Window): string {
  return `${runId}/${table}/${compactTime(window.fromMs)}_${compactTime(window.toMs)}`;
}

/** The window a task id names (any id ending in `/<from>_<to>`, or `/<from>_<to>+delta`), or null when it names none. */
export function windowOfTaskId(taskId: string): Window | null {
  const id = windowPartOf(taskId);
  const tail = id.slice(id.lastIndexOf('/') + 1);
  const [from, to, ...rest] = tail.split('_');
  if (rest.length > 0 || from === undefined || to === undefined) return null;
  const fromMs = parseCompactTime(from);
  const toMs = parseCompactTime(to);
  return fromMs !== null && toMs !== null && fromMs < toMs ? { fromMs, toMs } : null;
}
