import { describe, expect, it } from 'vitest';
import { attributeQueries, castQueriesFor } from './attribute-queries.ts';

const body = (...types: string[]) => ({ value: types.map((t, i) => ({ LogicalName: `c${i}`, AttributeTypeName: { Value: t } })) });

describe('castQueriesFor', () => {
  it.each([
    ['text and ids only: no cast', ['StringType', 'MemoType', 'UniqueidentifierType', 'IntegerType'], []],
    ['money needs no cast (scale 4 whatever its precision)', ['MoneyType'], []],
    ['dates and a decimal', ['StringType', 'DateTimeType', 'DecimalType'], ['datetime', 'decimal']],
    ['every lookup kind shares the lookup cast', ['LookupType', 'CustomerType', 'OwnerType'], ['lookup']],
    ['choices of every kind', ['PicklistType', 'MultiSelectPicklistType', 'StateType', 'StatusType', 'BooleanType'], ['picklist', 'multiselect', 'state', 'status', 'boolean']],
    ['an empty table definition', [], []],
  ])('%s', (_n, types, keys) => expect(castQueriesFor('account', body(...types)).map((q) => q.key)).toEqual(keys));

  it('asks exactly the paths attributeQueries has for those casts', () => {
    const all = new Map(attributeQueries('account').map((q) => [q.key, q.path]));
    for (const q of castQueriesFor('account', body('PicklistType', 'LookupType'))) expect(q.path).toBe(all.get(q.key));
  });

  it('a body that is not an OData collection is DATAVERSE_PAYLOAD_INVALID', () => {
    expect(() => castQueriesFor('account', { nope: 1 })).toThrow(expect.objectContaining({ code: 'DATAVERSE_PAYLOAD_INVALID' }));
  });
});
