/**
 * What a window produced so far, for its TaskCompleted event: records acknowledged by Kafka, rows sent to the
 * DLQ, the newest `modifiedon`, and per partition the highest offset produced + 1. Pure accumulator.
 */

/** The per-partition end offsets, sorted by partition. */
export interface PartitionOffset {
  partition: number;
  offset: number;
}

/** Accumulates the outcome of one window. */
export class WindowProgress {
  count = 0;
  deadLettered = 0;
  maxModifiedOnMs: number | null = null;
  private readonly ends = new Map<number, number>();

  /** Notes a row's `modifiedon` (whether it was produced or dead-lettered). */
  sawModifiedOn(ms: number): void {
    if (this.maxModifiedOnMs === null || ms > this.maxModifiedOnMs) this.maxModifiedOnMs = ms;
  }

  /** Notes an acknowledged batch: `records` messages written to `partition` from `baseOffset` on. */
  acknowledged(partition: number, baseOffset: number, records: number): void {
    if (records <= 0) return;
    this.count += records;
    const end = baseOffset + records;
    if (end > (this.ends.get(partition) ?? -1)) this.ends.set(partition, end);
  }

  /** The highest offset + 1 per partition that received records, by partition. */
  offsets(): PartitionOffset[] {
    return [...this.ends].map(([partition, offset]) => ({ partition, offset })).sort((a, b) => a.partition - b.partition);
  }
}
