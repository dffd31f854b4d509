/**
 * One table's live state: the lazy base rows of its {@link TableModel} plus an in-memory overlay holding only
 * what changed (created, updated, deleted or backdated rows). Memory grows with mutations, never with the
 * base row count.
 */
import { dataProperty, type ColumnDef, type Value } from '../core/schema.ts';
import type { TableModel } from '../core/table-model.ts';

/** The overlay state of one row. */
export interface OverlayEntry {
  readonly index: number;
  deleted: boolean;
  /** Explicit column values (by logical name), overriding generated ones. */
  values: Map<string, Value> | null;
  modifiedon: number;
  createdon: number;
  version: number;
  /** True for rows that exist only in the overlay (created after start). */
  readonly created: boolean;
}

/** Allocates version numbers shared by all tables (Dataverse's rowversion is database-wide). */
export type VersionSource = () => number;

/** The live state of one table. */
export class TableStore {
  readonly model: TableModel;
  private cols: ColumnDef[];
  private byProperty = new Map<string, ColumnDef>();
  private readonly overlay = new Map<number, OverlayEntry>();
  private sorted: number[] | null = null;
  private nextIndex: number;
  private deletedBase = 0;
  private createdLive = 0;
  /** When the table's schema last changed (expires delta tokens issued before). */
  schemaChangedMs = 0;
  private readonly nextVersion: VersionSource;

  constructor(model: TableModel, nextVersion: VersionSource) {
    this.model = model;
    this.cols = [...model.def.columns];
    this.nextIndex = model.baseRows;
    this.nextVersion = nextVersion;
    this.reindex();
  }

  private reindex(): void {
    this.byProperty = new Map();
    for (const c of this.cols) {
      const p = dataProperty(c);
      if (p) this.byProperty.set(p, c);
    }
  }

  /** Current columns (metadata order). */
  get columns(): readonly ColumnDef[] {
    return this.cols;
  }

  /** The column behind a data property name (`name`, `_ownerid_value`), if any. */
  property(name: string): ColumnDef | undefined {
    return this.byProperty.get(name);
  }

  /** The data-property columns, in metadata order. */
  dataColumns(): ColumnDef[] {
    return [...this.byProperty.values()];
  }

  /** Adds a column (schema change). */
  addColumn(col: ColumnDef, nowMs: number): void {
    if (this.cols.some((c) => c.logicalName === col.logicalName)) throw new RangeError(`column '${col.logicalName}' exists`);
    this.cols.push(col);
    this.schemaChangedMs = nowMs;
    this.reindex();
  }

  /** Removes a column (schema change). Returns false when it does not exist or is a system column. */
  removeColumn(name: string, nowMs: number): boolean {
    const i = this.cols.findIndex((c) => c.logicalName === name && !c.system);
    if (i < 0) return false;
    this.cols.splice(i, 1);
    this.cols = this.cols.filter((c) => c.attributeOf !== name);
    this.schemaChangedMs = nowMs;
    this.reindex();
    return true;
  }

  /** Rows alive now. */
  get liveCount(): number {
    return this.model.baseRows - this.deletedBase + this.createdLive;
  }

  /** Rows in the overlay. */
  get overlaySize(): number {
    return this.overlay.size;
  }

  /** One past the highest index ever used. */
  get indexEnd(): number {
    return this.nextIndex;
  }

  /** The overlay entry of `index`, if any. */
  entry(index: number): OverlayEntry | undefined {
    return this.overlay.get(index);
  }

  /** Overlay indices in ascending order (cached until the next mutation). */
  overlayIndices(): readonly number[] {
    if (!this.sorted) this.sorted = [...this.overlay.keys()].sort((a, b) => a - b);
    return this.sorted;
  }

  /** True when row `index` exists and is not deleted. */
  isLive(index: number): boolean {
    const e = this.overlay.get(index);
    if (e) return !e.deleted;
    return index >= 0 && index < this.model.baseRows;
  }

  /** The current value of `col` for row `index`. */
  value(index: number, col: ColumnDef): Value {
    const e = this.overlay.get(index);
    if (e) {
      if (col.system === 'modifiedon') return e.modifiedon;
      if (col.system === 'createdon') return e.createdon;
      if (col.system === 'versionnumber') return e.version;
      const v = e.values?.get(col.logicalName);
      if (v !== undefined) return v;
    }
    return this.model.baseValue(index, col);
  }

  /** The row index of an id of this table when the row is live. */
  liveIndexOf(id: string): number | undefined {
    const i = this.model.indexOf(id);
    return i !== undefined && this.isLive(i) ? i : undefined;
  }

  private touch(index: number, nowMs: number, created = false): OverlayEntry {
    let e = this.overlay.get(index);
    if (!e) {
      const createdon = created ? nowMs : this.model.createdOn(index);
      e = { index, deleted: false, values: null, modifiedon: nowMs, createdon, version: 0, created };
      this.overlay.set(index, e);
      this.sorted = null;
    }
    e.modifiedon = nowMs;
    e.version = this.nextVersion();
    return e;
  }

  /** Creates a row; unspecified columns get generated values. Returns its index. */
  create(values: Map<string, Value>, nowMs: number): number {
    const index = this.nextIndex++;
    const e = this.touch(index, nowMs, true);
    e.values = values.size > 0 ? new Map(values) : null;
    this.createdLive++;
    return index;
  }

  /** Updates a live row. */
  update(index: number, values: Map<string, Value>, nowMs: number): void {
    const e = this.touch(index, nowMs);
    if (values.size > 0) e.values = new Map([...(e.values ?? []), ...values]);
  }

  /** Deletes a live row (the overlay keeps a tombstone for change tracking). */
  remove(index: number, nowMs: number): void {
    const e = this.touch(index, nowMs);
    e.deleted = true;
    e.values = null;
    if (e.created) this.createdLive--;
    else this.deletedBase++;
  }

  /** Sets `modifiedon` of a live row to an earlier time, as an import does (a write: the version moves). */
  backdate(index: number, modifiedMs: number, nowMs: number): void {
    const e = this.touch(index, nowMs);
    e.modifiedon = modifiedMs;
    if (e.createdon > modifiedMs) e.createdon = modifiedMs;
  }

  /** Seeds a backdated base row at start-up without consuming a new version (part of the base snapshot). */
  seedBackdated(index: number, modifiedMs: number): void {
    if (index >= this.model.baseRows || this.overlay.has(index)) return;
    const createdon = Math.min(modifiedMs, this.model.createdOn(index));
    this.overlay.set(index, { index, deleted: false, values: null, modifiedon: modifiedMs, createdon, version: this.model.versionBase + index, created: false });
    this.sorted = null;
  }

  /** Overlay entries with `after < version <= upTo`, by version (live rows first, then deletions). */
  changes(after: number, upTo: number): OverlayEntry[] {
    const out: OverlayEntry[] = [];
    for (const e of this.overlay.values()) if (e.version > after && e.version <= upTo) out.push(e);
    out.sort((a, b) => Number(a.deleted) - Number(b.deleted) || a.version - b.version);
    return out;
  }
}
