/**
 * All simulated tables and the state they share: the version counter (database-wide, like SQL rowversion),
 * the server clock and the metadata version. Built deterministically from the seed.
 */
import { between, combine, hashIndex } from '../core/hash.ts';
import { isLookup, type ColumnDef, type TableDef } from '../core/schema.ts';
import { TableModel } from '../core/table-model.ts';
import { TABLES } from '../core/tables-all.ts';
import type { SimClock } from './sim-clock.ts';
import { TableStore } from './table-store.ts';

/** Options of a catalog. */
export interface CatalogOptions {
  readonly seed: number;
  /** Base rows of the main tables (account, contact, opportunity, new_widget, new_importlog). */
  readonly rows: number;
  /** Per-table overrides of the base row count, by logical name. */
  readonly tableRows?: Readonly<Record<string, number>>;
  /** Epoch ms of the newest base row. */
  readonly anchorMs: number;
  readonly clock: SimClock;
  /** Tables to serve; defaults to the built-in set. */
  readonly tables?: readonly TableDef[];
  /** Added to every version number on the wire (`--version-offset`: versionnumbers beyond 2^53); default 0. */
  readonly versionOffset?: bigint;
}

/** The simulated organisation's data. */
export class Catalog {
  readonly clock: SimClock;
  private readonly byName = new Map<string, TableStore>();
  private readonly bySet = new Map<string, TableStore>();
  private version: number;
  /** Bumped by every schema change (`Microsoft.Dynamics.CRM.globalmetadataversion`). */
  metadataVersion = 1;
  /** Added to internal version numbers on the wire (rows, etags, delta tokens, filters). */
  readonly versionOffset: bigint;

  constructor(o: CatalogOptions) {
    this.clock = o.clock;
    this.versionOffset = o.versionOffset ?? 0n;
    let versionBase = 1_000;
    const models: TableModel[] = [];
    for (const def of o.tables ?? TABLES) {
      const rows = o.tableRows?.[def.logicalName] ?? def.rows(o.rows);
      models.push(new TableModel(def, rows, versionBase, { seed: o.seed, anchorMs: o.anchorMs }));
      versionBase += rows + 1_000;
    }
    this.version = versionBase;
    const ctx = {
      anchorMs: o.anchorMs,
      rowsOf: (t: string) => this.byName.get(t)?.model.baseRows ?? 0,
      guidOf: (t: string, i: number) => this.byName.get(t)?.model.guid(i) ?? '00000000-0000-0000-0000-000000000000',
    };
    for (const m of models) {
      m.attach(ctx);
      const store = new TableStore(m, () => ++this.version);
      this.byName.set(m.def.logicalName, store);
      this.bySet.set(m.def.entitySetName, store);
      seedBackdatedRows(store, o.seed);
    }
  }

  /** Tables in definition order. */
  tables(): TableStore[] {
    return [...this.byName.values()];
  }

  /** A table by logical name. */
  table(logicalName: string): TableStore | undefined {
    return this.byName.get(logicalName);
  }

  /** A table by entity set name (case-sensitive, as Dataverse). */
  entitySet(name: string): TableStore | undefined {
    return this.bySet.get(name);
  }

  /** The wire text of internal version `v` (`versionnumber`, `@odata.etag`). */
  versionText(v: number): string {
    return this.versionOffset === 0n ? String(v) : (BigInt(v) + this.versionOffset).toString();
  }

  /** The newest version number handed out so far. */
  currentVersion(): number {
    return this.version;
  }

  /** Records a schema change of `table`. */
  schemaChanged(table: TableStore): void {
    table.schemaChangedMs = this.clock.nowMs();
    this.metadataVersion++;
  }

  /** Which table and row a lookup value of `col` points to (live or not). */
  resolve(col: ColumnDef, id: string): { table: TableStore; index: number } | undefined {
    if (!isLookup(col)) return undefined;
    for (const t of col.targets ?? []) {
      const table = this.byName.get(t);
      const index = table?.model.indexOf(id);
      if (table && index !== undefined) return { table, index };
    }
    return undefined;
  }
}

/** Backdates ~0.05% of a table's base rows (at most 200), deterministically: imports that rewrote history. */
function seedBackdatedRows(store: TableStore, seed: number): void {
  const n = store.model.baseRows;
  const count = Math.min(200, Math.floor(n / 2_000));
  const h0 = combine(store.model.tableHash, seed ^ 0xbac0da7e);
  for (let k = 0; k < count; k++) {
    const h = hashIndex(h0, k);
    const index = between(h, 0, n - 1);
    const days = between(combine(h, 1), 30, 900);
    store.seedBackdated(index, store.model.modifiedOn(index) - days * 86_400_000);
  }
}
