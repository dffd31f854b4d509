import { describe, expect, it } from 'vitest';
import { isSyncError } from '../../shared/errors.ts';
import { paginate, toPage } from './paginate.ts';

const BASE = 'https://org.crm.dynamics.com/api/data/v9.2';
// A real-looking nextLink: double-encoded paging cookie that must be passed back byte for byte.
const NEXT =
  `${BASE}/contacts?$select=fullname&$skiptoken=%3Ccookie%20pagenumber=%222%22%20pagingcookie=%22%253ccookie%2520page%253d%25221%2522%253e` +
  '%253ccontactid%2520last%253d%2522%257bD5026A4D%257d%2522%2520%252f%253e%253c%252fcookie%253e%22%20istracking=%22False%22%20/%3E';

/** A fake fetch over a fixed map of URL → body, recording every URL asked for. */
function fakeFetch(bodies: Record<string, unknown>) {
  const asked: string[] = [];
  return {
    asked,
    fetch: async (url: string) => {
      asked.push(url);
      if (!(url in bodies)) throw new Error(`unexpected URL ${url}`);
      return bodies[url];
    },
  };
}

describe('paginate', () => {
  it('follows @odata.nextLink verbatim and exposes the deltaLink of the last page', async () => {
    const first = `${BASE}/contacts?$select=fullname`;
    const f = fakeFetch({
      [first]: { '@odata.context': 'ctx', value: [{ id: 1 }, { id: 2 }], '@odata.nextLink': NEXT },
      [NEXT]: { value: [{ id: 3 }], '@odata.deltaLink': `${BASE}/contacts?$deltatoken=919042%2108` },
    });
    const pages = [];
    for await (const p of paginate(first, f.fetch)) pages.push(p);
    expect(f.asked).toEqual([first, NEXT]);
    expect(pages.map((p) => p.rows)).toEqual([[{ id: 1 }, { id: 2 }], [{ id: 3 }]]);
    expect(pages.map((p) => p.index)).toEqual([0, 1]);
    expect(pages[0]!.nextLink).toBe(NEXT);
    expect(pages[1]!.deltaLink).toBe(`${BASE}/contacts?$deltatoken=919042%2108`);
    expect(pages[0]!.annotations).toEqual({ '@odata.context': 'ctx' });
  });

  it('fetches the next page only when the consumer asks for it (one page in memory)', async () => {
    const a = `${BASE}/a`;
    const f = fakeFetch({ [a]: { value: [1], '@odata.nextLink': `${a}?p=2` }, [`${a}?p=2`]: { value: [2], '@odata.nextLink': `${a}?p=3` }, [`${a}?p=3`]: { value: [3] } });
    const it = paginate(a, f.fetch);
    await it.next();
    expect(f.asked).toHaveLength(1);
    await it.next();
    expect(f.asked).toHaveLength(2);
    await it.return(undefined);
    expect(f.asked).toHaveLength(2);
  });

  it('stops when a nextLink repeats a page (would loop forever)', async () => {
    const a = `${BASE}/a`;
    const f = fakeFetch({ [a]: { value: [], '@odata.nextLink': `${a}?p=2` }, [`${a}?p=2`]: { value: [], '@odata.nextLink': a } });
    const it = paginate(a, f.fetch);
    await it.next();
    await expect(it.next()).rejects.toSatisfy((e) => isSyncError(e, 'DATAVERSE_PAYLOAD_INVALID'));
  });
});

describe('toPage', () => {
  it.each<[string, unknown, number]>([
    ['rows', { value: [{ a: 1 }] }, 1],
    ['empty delta response {}', {}, 0],
    ['count', { '@odata.count': 5000, value: [] }, 0],
  ])('accepts %s', (_name, body, rows) => {
    expect(toPage(body, 0, `${BASE}/x`).rows).toHaveLength(rows);
  });

  it.each<[string, unknown]>([
    ['null', null],
    ['array', []],
    ['string', 'x'],
    ['value not an array', { value: {} }],
    ['nextLink not a string', { value: [], '@odata.nextLink': 3 }],
  ])('refuses %s', (_name, body) => {
    expect(() => toPage(body, 0, `${BASE}/x`)).toThrow(/unexpected collection body/);
  });
});
