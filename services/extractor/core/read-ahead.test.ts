import { describe, expect, it } from 'vitest';
import { readAhead } from './read-ahead.ts';

/** A source that records when each item is requested relative to what the consumer has seen. */
function recordingSource(items: readonly (number | Error)[]) {
  const log: string[] = [];
  let closed = false;
  async function* source() {
    try {
      for (const [i, item] of items.entries()) {
        log.push(`fetch ${i}`);
        await Promise.resolve();
        if (item instanceof Error) throw item;
        yield item;
      }
    } finally {
      closed = true;
    }
  }
  return { source: source(), log, isClosed: () => closed };
}

describe('readAhead', () => {
  it.each<[string, number[]]>([
    ['several items', [1, 2, 3]],
    ['one item', [7]],
    ['no item', []],
  ])('%s: yields every item in order', async (_name, items) => {
    const out: number[] = [];
    for await (const v of readAhead(recordingSource(items).source)) out.push(v);
    expect(out).toEqual(items);
  });

  it('requests item n+1 before the consumer is done with item n', async () => {
    const s = recordingSource([1, 2, 3]);
    for await (const v of readAhead(s.source)) {
      await new Promise((r) => setTimeout(r, 5)); // the consumer works on v
      s.log.push(`used ${v}`);
    }
    expect(s.log).toEqual(['fetch 0', 'fetch 1', 'used 1', 'fetch 2', 'used 2', 'used 3']);
  });

  it('surfaces a source error at the item it replaces', async () => {
    const out: number[] = [];
    const run = async () => {
      for await (const v of readAhead(recordingSource([1, new Error('page 2 failed'), 3]).source)) out.push(v);
    };
    await expect(run()).rejects.toThrow('page 2 failed');
    expect(out).toEqual([1]);
  });

  it.each<[string, (v: number) => void]>([
    ['break', () => undefined],
    [
      'throw',
      () => {
        throw new Error('consumer failed');
      },
    ],
  ])('closes the source after the consumer stops early (%s)', async (name, onFirst) => {
    const s = recordingSource([1, 2, 3, 4]);
    const run = async () => {
      for await (const v of readAhead(s.source)) {
        onFirst(v);
        break;
      }
    };
    if (name === 'throw') await expect(run()).rejects.toThrow('consumer failed');
    else await run();
    await new Promise((r) => setTimeout(r, 10));
    expect(s.isClosed()).toBe(true);
    expect(s.log).toEqual(['fetch 0', 'fetch 1']); // nothing beyond the one item in flight
  });
});
