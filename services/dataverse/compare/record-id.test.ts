import { describe, expect, it } from 'vitest';
import { listedId } from './record-id.ts';

describe('listedId', () => {
  it.each<[string, Record<string, unknown>, string | null]>([
    ['a lower-case GUID', { accountid: '0a1b2c3d-0000-4000-8000-00000000000f' }, '0a1b2c3d-0000-4000-8000-00000000000f'],
    ['an upper-case GUID, lower-cased', { accountid: '0A1B2C3D-0000-4000-8000-00000000000F' }, '0a1b2c3d-0000-4000-8000-00000000000f'],
    ['no primary id', { name: 'x' }, null],
    ['a null primary id', { accountid: null }, null],
    ['not a GUID', { accountid: 'abc' }, null],
    ['a GUID in braces', { accountid: '{0a1b2c3d-0000-4000-8000-00000000000f}' }, null],
  ])('%s', (_name, row, expected) => {
    expect(listedId(row, 'accountid')).toBe(expected);
  });
});
