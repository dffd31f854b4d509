import { describe, expect, it } from 'vitest';
import { ACCOUNT_ATTRIBUTES, ACCOUNT_CASTS, ACCOUNT_ENTITY } from './account-metadata.fixture.ts';
import { buildTableDefinition, parseAttributes } from './attributes.ts';
import { parseEntityDefinitions } from './entity-definitions.ts';
import type { ColumnDefinition } from './table-definition.ts';

const parsed = parseAttributes(ACCOUNT_ATTRIBUTES, ACCOUNT_CASTS);
const column = (name: string): ColumnDefinition | undefined => parsed.columns.find((c) => c.logicalName === name);

describe('parseAttributes', () => {
  it('puts the primary id first, then sorts by logical name', () => {
    expect(parsed.columns.map((c) => c.logicalName)).toEqual([
      'accountid',
      'accountcategorycode',
      'address1_latitude',
      'description',
      'donotemail',
      'exchangerate',
      'modifiedon',
      'name',
      'new_birthday',
      'new_customer',
      'new_interests',
      'new_localtime',
      'new_ratio',
      'numberofemployees',
      'ownerid',
      'parentaccountid',
      'revenue',
      'statecode',
      'statuscode',
      'transactioncurrencyid',
      'versionnumber',
    ]);
  });

  it.each<[string, Partial<ColumnDefinition>]>([
    ['accountid', { dataverseType: 'UniqueidentifierType', ourType: 'string', wireName: 'accountid', isPrimaryId: true }],
    ['name', { dataverseType: 'StringType', ourType: 'string', wireName: 'name', isPrimaryId: false }],
    ['description', { dataverseType: 'MemoType', ourType: 'string' }],
    ['numberofemployees', { dataverseType: 'IntegerType', ourType: 'number' }],
    ['versionnumber', { dataverseType: 'BigIntType', ourType: 'number' }],
    ['address1_latitude', { dataverseType: 'DoubleType', ourType: 'number' }],
    ['exchangerate', { dataverseType: 'DecimalType', ourType: 'number', precision: 38, scale: 10 }],
    ['new_ratio', { dataverseType: 'DecimalType', ourType: 'number', precision: 38, scale: 2 }],
    ['revenue', { dataverseType: 'MoneyType', ourType: 'amount', precision: 38, scale: 4 }],
    ['accountcategorycode', { ourType: 'picklist', options: { 1: 'Preferred Customer', 2: 'Standard' } }],
    ['statecode', { dataverseType: 'StateType', ourType: 'picklist', options: { 0: 'Active', 1: 'Inactive' } }],
    ['statuscode', { dataverseType: 'StatusType', ourType: 'picklist', options: { 1: 'Active', 2: 'Inactive' } }],
    ['new_interests', { dataverseType: 'MultiSelectPicklistType', ourType: 'multipicklist', options: { 1: 'Hiking', 2: 'Skiing', 3: 'Camping' } }],
    ['donotemail', { dataverseType: 'BooleanType', ourType: 'bool', options: { 0: 'Allow', 1: 'Do Not Allow' } }],
    ['modifiedon', { ourType: 'date', dateOnly: false, dateTimeBehavior: 'UserLocal' }],
    ['new_birthday', { ourType: 'date', dateOnly: true, dateTimeBehavior: 'DateOnly' }],
    ['new_localtime', { ourType: 'date', dateOnly: false, dateTimeBehavior: 'TimeZoneIndependent' }],
    ['parentaccountid', { ourType: 'reference', wireName: '_parentaccountid_value', targets: ['account'] }],
    ['new_customer', { dataverseType: 'CustomerType', wireName: '_new_customer_value', targets: ['account', 'contact'] }],
    ['ownerid', { dataverseType: 'OwnerType', wireName: '_ownerid_value', targets: ['systemuser', 'team'] }],
  ])('%s', (name, expected) => {
    expect(column(name)).toMatchObject(expected);
  });

  it.each([
    ['owneridname', /child of ownerid/],
    ['owneridtype', /child of ownerid/],
    ['entityimage', /image/],
    ['new_document', /file/],
    ['new_virtual', /virtual/],
    ['new_entityname', /entity name/],
    ['new_parties', /party list/],
    ['new_calendar', /calendar/],
    ['new_managed', /managed property/],
    ['new_future', /unknown attribute type "CustomType"/],
    ['new_secret', /not valid for read/],
    ['new_notype', /AttributeTypeName missing/],
  ])('skips %s with a reason', (name, reason) => {
    const skip = parsed.skipped.find((s) => s.logicalName === name);
    expect(skip?.reason).toMatch(reason);
    expect(column(name)).toBeUndefined();
  });

  it('skips DateTime and Decimal columns whose cast details are missing instead of guessing', () => {
    const result = parseAttributes(ACCOUNT_ATTRIBUTES, { ...ACCOUNT_CASTS, datetime: { value: [] }, decimal: undefined });
    for (const name of ['modifiedon', 'new_birthday', 'exchangerate']) {
      expect(result.skipped.find((s) => s.logicalName === name)?.reason).toMatch(/missing/);
    }
  });

  it('accepts numbers kept as strings by parseDataverseJson', () => {
    const result = parseAttributes(ACCOUNT_ATTRIBUTES, {
      ...ACCOUNT_CASTS,
      decimal: { value: [{ LogicalName: 'new_ratio', Precision: '3' }] },
      state: { value: [{ LogicalName: 'statecode', OptionSet: { Options: [{ Value: '0', Label: { UserLocalizedLabel: { Label: 'On' } } }] } }] },
    });
    expect(result.columns.find((c) => c.logicalName === 'new_ratio')?.scale).toBe(3);
    expect(result.columns.find((c) => c.logicalName === 'statecode')?.options).toEqual({ 0: 'On' });
  });

  it.each([[null], [{}], [{ value: 'x' }], [[]]])('refuses the body %j', (body) => {
    expect(() => parseAttributes(body, {})).toThrow(expect.objectContaining({ code: 'DATAVERSE_PAYLOAD_INVALID' }));
  });
});

describe('buildTableDefinition', () => {
  const summary = parseEntityDefinitions({ value: [ACCOUNT_ENTITY] }).tables[0];
  if (!summary) throw new Error('fixture');

  it('combines the summary and the columns', () => {
    const table = buildTableDefinition(summary, parsed);
    expect(table.logicalName).toBe('account');
    expect(table.columns[0]?.logicalName).toBe('accountid');
    expect(table.skipped).toHaveLength(12);
  });

  it.each([
    ['missing primary id', { ...summary, primaryIdAttribute: 'nope' }],
    ['primary id not a GUID', { ...summary, primaryIdAttribute: 'name' }],
  ])('refuses a %s', (_name, table) => {
    expect(() => buildTableDefinition(table, parsed)).toThrow(expect.objectContaining({ code: 'DATAVERSE_PAYLOAD_INVALID' }));
  });
});
