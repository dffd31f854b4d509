import { describe, expect, it } from 'vitest';
import { FULL_LISTING_EVERY, endMark, listingDue, type Listing } from './topic-watch.ts';

describe('listing the table topics again', () => {
  const at = (mark: string | undefined, checks = 0): Listing => ({ mark, checks });
  it.each([
    ['the first check', undefined, '0:5', true],
    ['sync.tasks unchanged', at('0:5'), '0:5', false],
    ['tasks published since', at('0:5'), '0:6', true],
    ['the end unreadable now', at('0:5'), undefined, true],
    ['the end unreadable at the last listing', at(undefined), '0:5', true],
    ['unchanged, one check before the periodic listing', at('0:5', FULL_LISTING_EVERY - 2), '0:5', false],
    ['unchanged, at the periodic listing', at('0:5', FULL_LISTING_EVERY - 1), '0:5', true],
  ])('%s → %s', (_name, last, mark, due) => expect(listingDue(last, mark)).toBe(due));

  it('marks the end offsets in partition order', () => {
    expect(endMark([{ partition: 1, offset: '7' }, { partition: 0, offset: '3' }])).toBe('0:3,1:7');
    expect(endMark([])).toBe('');
  });
});
