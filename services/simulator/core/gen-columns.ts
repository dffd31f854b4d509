/**
 * Building blocks for column generators. Each returns a {@link GenFn}: a pure function of the column hash,
 * the row index and the generation context, so any cell can be recomputed on demand.
 */
import { between, combine, next, pick, unit } from './hash.ts';
import type { ColumnDef, GenFn, OptionDef, Value } from './schema.ts';
import { COMPANY_KINDS, COMPANY_SUFFIXES, COMPANY_WORDS, FIRST_NAMES, LAST_NAMES, WORDS } from './gen-words.ts';

const DAY = 86_400_000;

/** Null with probability `permille`/1000, otherwise `fn`. */
export function nullable(permille: number, fn: GenFn): GenFn {
  return (h, i, ctx, row) => (h % 1000 < permille ? null : fn(next(h), i, ctx, row));
}

/** One element of a list. */
export function oneOf(list: readonly string[]): GenFn {
  return (h) => pick(h, list);
}

/** An integer in [min, max]. */
export function int(min: number, max: number): GenFn {
  return (h) => between(h, min, max);
}

/** A large integer in [min, max] (up to 2^53). */
export function bigint(min: number, max: number): GenFn {
  return (h) => spread(h, min, max);
}

function spread(h: number, min: number, max: number): number {
  return min + Math.floor((unit(h) + unit(next(h)) / 0x1_0000_0000) * (max - min));
}

/** Renders integer `units` with `scale` decimals, exactly ("123.4500"). */
export function fixed(units: number, scale: number): string {
  const neg = units < 0;
  const digits = Math.abs(units).toString().padStart(scale + 1, '0');
  const body = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return neg ? `-${body}` : body;
}

/** An exact decimal in [min, max] with `scale` decimals; `step` quantises the units (e.g. 100 = whole cents at scale 4). */
export function decimal(min: number, max: number, scale: number, step = 1): GenFn {
  const lo = Math.round(min * 10 ** scale);
  const hi = Math.round(max * 10 ** scale);
  return (h) => fixed(Math.round(spread(h, lo, hi) / step) * step, scale);
}

/** A double with up to `digits` decimals. */
export function double(min: number, max: number, digits: number): GenFn {
  return (h) => Number((min + unit(h) * (max - min)).toFixed(digits));
}

/** True with probability `p`. */
export function bool(p: number): GenFn {
  return (h) => unit(h) < p;
}

/** One option value (weighted towards the first options). */
export function option(options: readonly OptionDef[]): GenFn {
  return (h) => {
    const k = Math.floor(unit(h) * unit(next(h)) * options.length);
    return options[Math.min(k, options.length - 1)]?.value ?? null;
  };
}

/** A multi-select value "1,3,4" (sorted, no spaces), null when none selected. */
export function multi(options: readonly OptionDef[]): GenFn {
  return (h) => {
    const picked = options.filter((_, k) => unit(combine(h, k)) < 0.3).map((o) => o.value);
    return picked.length === 0 ? null : picked.join(',');
  };
}

/** A UTC timestamp within `daysBack` days before the anchor (whole seconds). */
export function dateTime(daysBack: number, daysForward = 0): GenFn {
  return (h, _i, ctx) => Math.floor((ctx.anchorMs - daysBack * DAY + unit(h) * (daysBack + daysForward) * DAY) / 1000) * 1000;
}

/** A date-only value "YYYY-MM-DD" within the given day range around the anchor. */
export function dateOnly(daysBack: number, daysForward = 0): GenFn {
  return (h, i, ctx, row) => new Date(dateTime(daysBack, daysForward)(h, i, ctx, row) as number).toISOString().slice(0, 10);
}

/** A reference to a random base row of one of `targets` (weights default to equal). */
export function lookup(targets: readonly string[], weights?: readonly number[]): GenFn {
  return (h, _i, ctx) => {
    let t = targets[0] ?? '';
    if (weights) {
      let x = unit(h) * weights.reduce((a, b) => a + b, 0);
      for (let k = 0; k < targets.length; k++) {
        x -= weights[k] ?? 0;
        if (x < 0) {
          t = targets[k] ?? t;
          break;
        }
      }
    }
    const rows = ctx.rowsOf(t);
    return rows === 0 ? null : ctx.guidOf(t, between(next(h), 0, rows - 1));
  };
}

/** A random-looking GUID. */
export function guid(): GenFn {
  return (h) => {
    const parts = [h, next(h), next(next(h)), next(next(next(h)))].map((x) => x.toString(16).padStart(8, '0')).join('');
    return `${parts.slice(0, 8)}-${parts.slice(8, 12)}-4${parts.slice(13, 16)}-a${parts.slice(17, 20)}-${parts.slice(20, 32)}`;
  };
}

/** A company name. */
export function company(): GenFn {
  return (h) => `${pick(h, COMPANY_WORDS)} ${pick(next(h), COMPANY_KINDS)} ${pick(combine(h, 7), COMPANY_SUFFIXES)}`.trim();
}

/** A person's first or last name from the row hash (so fullname = firstname + lastname). */
export function personName(part: 'first' | 'last' | 'full'): GenFn {
  return (_h, _i, _ctx, row) => {
    const r = combine(row, 0xf17e);
    const first = pick(r, FIRST_NAMES);
    const last = pick(next(r), LAST_NAMES);
    return part === 'first' ? first : part === 'last' ? last : `${first} ${last}`;
  };
}

/** Free text of `min`..`max` words. */
export function text(min: number, max: number): GenFn {
  return (h) => {
    const n = between(h, min, max);
    const out: string[] = [];
    let x = h;
    for (let k = 0; k < n; k++) {
      x = next(x);
      out.push(pick(x, WORDS));
    }
    const s = out.join(' ');
    return s.charAt(0).toUpperCase() + s.slice(1) + '.';
  };
}

/** A fixed value. */
export function constant(v: Value): GenFn {
  return () => v;
}

/** Options from labels, numbered from `start`. */
export function options(labels: readonly string[], start = 1, step = 1): OptionDef[] {
  return labels.map((label, k) => ({ value: start + k * step, label }));
}

/** Shorthand for a column definition. */
export function col(logicalName: string, kind: ColumnDef['kind'], displayName: string, extra: Partial<ColumnDef> = {}): ColumnDef {
  return { logicalName, kind, displayName, ...extra };
}
