import { describe, expect, it } from 'vitest';
import type { ColumnDefinition, TableDefinition } from '../../dataverse/model/table-definition.ts';
import { accountTable } from '../../dataverse/mapping/account-table.fixture.ts';
import { annotationsFor, countProbeQuery, currencyMap, selectList, windowQuery } from './window-query.ts';

const col = (logicalName: string, dataverseType: string, extra: Partial<ColumnDefinition> = {}): ColumnDefinition => ({
  logicalName,
  dataverseType,
  ourType: 'string',
  wireName: logicalName,
  isPrimaryId: false,
  ...extra,
});

const table = (columns: ColumnDefinition[]): TableDefinition => ({
  ...accountTable(),
  columns: [col('accountid', 'UniqueidentifierType', { isPrimaryId: true }), col('modifiedon', 'DateTimeType'), ...columns],
  skipped: [],
});

const w = { fromMs: Date.UTC(2024, 0, 1), toMs: Date.UTC(2024, 0, 1, 0, 0, 10) };
const FILTER = 'modifiedon%20ge%202024-01-01T00%3A00%3A00Z%20and%20modifiedon%20lt%202024-01-01T00%3A00%3A10Z';

describe('windowQuery', () => {
  it('selects wire names, filters the half-open window, no orderby', () => {
    const t = table([col('name', 'StringType'), col('parentaccountid', 'LookupType', { wireName: '_parentaccountid_value' })]);
    expect(windowQuery(t, w).path).toBe(`accounts?$select=accountid,modifiedon,name,_parentaccountid_value&$filter=${FILTER}`);
  });

  it('refuses a table without modifiedon', () => {
    const t = { ...table([]), columns: [col('accountid', 'UniqueidentifierType', { isPrimaryId: true })] };
    expect(() => windowQuery(t, w)).toThrow(/no readable modifiedon/);
  });
});

describe('countProbeQuery', () => {
  it('asks for one id and the capped count', () => {
    expect(countProbeQuery(table([]), w)).toEqual({
      path: `accounts?$select=accountid&$filter=${FILTER}&$top=1&$count=true`,
      annotations: ['Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded'],
    });
  });
});

describe('selectList', () => {
  it.each([
    ['adds the currency lookup for money', [col('revenue', 'MoneyType')], ['accountid', 'modifiedon', 'revenue', '_transactioncurrencyid_value']],
    [
      'keeps an already selected currency lookup once',
      [col('revenue', 'MoneyType'), col('transactioncurrencyid', 'LookupType', { wireName: '_transactioncurrencyid_value' })],
      ['accountid', 'modifiedon', 'revenue', '_transactioncurrencyid_value'],
    ],
    ['no money, no currency', [col('name', 'StringType')], ['accountid', 'modifiedon', 'name']],
  ])('%s', (_name, columns, expected) => {
    expect(selectList(table(columns))).toEqual(expected);
  });
});

describe('annotationsFor', () => {
  it.each([
    ['plain columns need none', [col('name', 'StringType')], []],
    ['labelled choices need none', [col('statecode', 'StateType', { options: { 0: 'Active' } })], []],
    ['unlabelled choices need FormattedValue', [col('industrycode', 'PicklistType', { options: {} })], ['OData.Community.Display.V1.FormattedValue']],
    [
      'lookups need the target table and the name',
      [col('ownerid', 'OwnerType', { wireName: '_ownerid_value' })],
      ['Microsoft.Dynamics.CRM.lookuplogicalname', 'OData.Community.Display.V1.FormattedValue'],
    ],
  ])('%s', (_name, columns, expected) => {
    expect(annotationsFor(table(columns))).toEqual(expected);
  });

  it.each([
    ['lookups without names need only the target table', [col('ownerid', 'OwnerType', { wireName: '_ownerid_value' })], ['Microsoft.Dynamics.CRM.lookuplogicalname']],
    [
      'unlabelled choices still need FormattedValue',
      [col('ownerid', 'OwnerType', { wireName: '_ownerid_value' }), col('industrycode', 'PicklistType')],
      ['Microsoft.Dynamics.CRM.lookuplogicalname', 'OData.Community.Display.V1.FormattedValue'],
    ],
    ['plain columns need none', [col('name', 'StringType')], []],
  ])('without lookup names: %s', (_name, columns, expected) => {
    expect(annotationsFor(table(columns), false)).toEqual(expected);
  });
});

describe('currencyMap', () => {
  it('maps lower-case ids to ISO codes and skips incomplete rows', () => {
    const map = currencyMap([
      { transactioncurrencyid: 'AAAA-1', isocurrencycode: 'EUR' },
      { transactioncurrencyid: 'bbbb-2', isocurrencycode: null },
      { isocurrencycode: 'USD' },
    ]);
    expect([...map]).toEqual([['aaaa-1', 'EUR']]);
  });
});
