/**
 * The lazy generator of one table's base rows: row `i` is a pure function of (seed, table, i). Nothing per row
 * is stored; ids are sequential (see guid.ts), `modifiedon` follows the table's time layout and
 * `versionnumber` grows with the index, so all three are monotone in the index.
 */
import { guidFor, guidSpace, indexOfGuid, type GuidSpace } from './guid.ts';
import { extremeOrdinal, extremePolicy, extremeValue, type ExtremePolicy } from './extremes.ts';
import { combine, hashIndex, hashString } from './hash.ts';
import type { ColumnDef, GenContext, TableDef, Value } from './schema.ts';
import { createdOnAt, modifiedOnAt, timeLayout, type TimeLayout } from './time-layout.ts';

/** Generation parameters shared by all tables. */
export interface GenerationParams {
  readonly seed: number;
  /** Epoch ms of the newest base row. */
  readonly anchorMs: number;
}

/** One table's lazy base data. */
export class TableModel {
  readonly def: TableDef;
  readonly tableHash: number;
  readonly space: GuidSpace;
  readonly layout: TimeLayout;
  readonly baseRows: number;
  /** versionnumber of base row i is versionBase + i. */
  readonly versionBase: number;
  readonly extremes: ExtremePolicy;
  private readonly colHashes = new Map<string, number>();
  private ctx: GenContext | undefined;
  /** The extreme ordinal of the row last asked for (rows are rendered column by column). */
  private ordinalIndex = -1;
  private ordinalValue = -1;

  constructor(def: TableDef, baseRows: number, versionBase: number, params: GenerationParams) {
    this.def = def;
    this.baseRows = baseRows;
    this.versionBase = versionBase;
    this.tableHash = combine(hashString(def.logicalName), params.seed);
    this.space = guidSpace(hashString(def.logicalName));
    this.layout = timeLayout(baseRows, params.anchorMs, this.tableHash);
    this.extremes = extremePolicy(def);
  }

  /** The extreme ordinal of row `index` (see extremes.ts), or -1 for an ordinary row. */
  extremeOrdinal(index: number, rowHash = this.rowHash(index)): number {
    if (index !== this.ordinalIndex) {
      this.ordinalValue = extremeOrdinal(this.extremes, index, this.baseRows, rowHash);
      this.ordinalIndex = index;
    }
    return this.ordinalValue;
  }

  private extreme(col: ColumnDef, colHash: number, index: number, rowHash: number): Value | undefined {
    const ordinal = this.extremeOrdinal(index, rowHash);
    return ordinal < 0 || !this.ctx ? undefined : extremeValue(this.def, col, ordinal, colHash % 1009, this.ctx);
  }

  /** Connects the model to the other tables (for lookups). Called once by the catalog. */
  attach(ctx: GenContext): void {
    this.ctx = ctx;
  }

  /** Id of row `index`. */
  guid(index: number): string {
    return guidFor(this.space, index);
  }

  /** Row index of `id` when it is an id of this table. */
  indexOf(id: string): number | undefined {
    return indexOfGuid(this.space, id);
  }

  /** modifiedon of base row `index` (epoch ms). */
  modifiedOn(index: number): number {
    return modifiedOnAt(this.layout, index);
  }

  /** createdon of base row `index` (epoch ms). */
  createdOn(index: number): number {
    return createdOnAt(this.layout, Math.min(index, this.baseRows - 1));
  }

  private colHash(name: string): number {
    let h = this.colHashes.get(name);
    if (h === undefined) {
      h = combine(this.tableHash, hashString(name));
      this.colHashes.set(name, h);
    }
    return h;
  }

  /** The per-column hash base for {@link generate} (cache it when generating many rows). */
  columnHash(col: ColumnDef): number {
    return this.colHash(col.logicalName);
  }

  /** The row hash shared by all columns of row `index`. */
  rowHash(index: number): number {
    return hashIndex(this.tableHash, index);
  }

  /** Fast path of {@link baseValue} for non-system columns with precomputed hashes. */
  generate(col: ColumnDef, colHash: number, index: number, rowHash: number): Value {
    if (col.system) return this.baseValue(index, col);
    const x = this.extreme(col, colHash, index, rowHash);
    if (x !== undefined) return x;
    if (!col.gen || !this.ctx) return null;
    return col.gen(hashIndex(colHash, index), index, this.ctx, rowHash);
  }

  /** The generated value of `col` for row `index` (base or created rows; system times only for base rows). */
  baseValue(index: number, col: ColumnDef): Value {
    switch (col.system) {
      case 'pk':
        return guidFor(this.space, index);
      case 'modifiedon':
        return modifiedOnAt(this.layout, Math.min(index, this.baseRows - 1));
      case 'createdon':
        return createdOnAt(this.layout, Math.min(index, this.baseRows - 1));
      case 'versionnumber':
        return this.versionBase + index;
      default:
        return this.generate(col, this.colHash(col.logicalName), index, hashIndex(this.tableHash, index));
    }
  }
}
