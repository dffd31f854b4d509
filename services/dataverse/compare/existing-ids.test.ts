import { describe, expect, it } from 'vitest';
import type { DataverseClient } from '../client/dataverse-client.ts';
import { EXISTS_BATCH, existencePath, existingIds } from './existing-ids.ts';

const target = { table: 'account', entitySetName: 'accounts', primaryIdAttribute: 'accountid' };
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** A client whose table holds `live` ids; `blank` ids are returned without their primary id. Records each path. */
function fakeClient(live: Set<string>, blank = new Set<string>()) {
  const paths: string[] = [];
  const client: Pick<DataverseClient, 'pages'> = {
    async *pages(path: string) {
      paths.push(path);
      const asked = [...decodeURIComponent(path).matchAll(/accountid eq ([0-9a-f-]{36})/g)].map((m) => m[1]!);
      const rows = asked.filter((x) => live.has(x)).map((x) => (blank.has(x) ? { name: 'no id' } : { accountid: x.toUpperCase() }));
      yield { rows } as never;
    },
  };
  return { client, paths };
}

describe('existingIds', () => {
  it.each<[string, number[], number[], number[], { existing: number[]; unidentified: number; requests: number }]>([
    ['returned ids exist, the others are gone', [1, 2, 3], [1, 3], [], { existing: [1, 3], unidentified: 0, requests: 1 }],
    ['nothing asked: no request', [], [1], [], { existing: [], unidentified: 0, requests: 0 }],
    ['a row without its primary id: its whole batch counts as existing', [1, 2, 3], [1, 2], [2], { existing: [1, 2, 3], unidentified: 1, requests: 1 }],
  ])('%s', async (_name, asked, live, blank, expected) => {
    const { client, paths } = fakeClient(new Set(live.map(id)), new Set(blank.map(id)));
    const r = await existingIds(client, target, asked.map(id));
    expect({ existing: [...r.existing].sort(), unidentified: r.unidentified, requests: paths.length }).toEqual({ ...expected, existing: expected.existing.map(id) });
  });

  it('asks in batches; an unidentified row spoils only its own batch', async () => {
    const asked = Array.from({ length: EXISTS_BATCH + 2 }, (_, i) => id(i));
    const { client, paths } = fakeClient(new Set([id(0), id(EXISTS_BATCH + 1)]), new Set([id(EXISTS_BATCH + 1)]));
    const r = await existingIds(client, target, asked);
    expect(paths).toHaveLength(2);
    expect([...r.existing].sort()).toEqual([id(0), id(EXISTS_BATCH), id(EXISTS_BATCH + 1)]);
    expect(r.unidentified).toBe(1);
  });

  it('never asks for ids that are not GUIDs', async () => {
    const { client, paths } = fakeClient(new Set());
    expect((await existingIds(client, target, ['nope', 'x\' or 1 eq 1'])).existing.size).toBe(0);
    expect(paths).toEqual([]);
  });

  it('selects only the primary id and filters by it', () => {
    expect(decodeURIComponent(existencePath(target, [id(1), id(2)]))).toBe(`accounts?$select=accountid&$filter=accountid eq ${id(1)} or accountid eq ${id(2)}`);
  });
});
