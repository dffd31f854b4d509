import { describe, expect, it } from 'vitest';
import { accountTable } from '../../dataverse/mapping/account-table.fixture.ts';
import { formatTableReport, tableReport } from './tables.ts';

describe('tables report', () => {
  it('gives each column its Dataverse, our and Avro type, marks selection, keeps skipped reasons', () => {
    const table = accountTable();
    const report = tableReport(table, { id: 'acme', tables: ['contact'] });
    expect(report.selected).toBe(false);
    expect(tableReport(table, { id: 'acme', tables: 'all' }).selected).toBe(true);
    expect(report.columns).toHaveLength(table.columns.length);
    expect(report.columns.find((c) => c.name === 'revenue')).toEqual({ name: 'revenue', dataverseType: 'MoneyType', ourType: 'amount', avroType: 'Money{value: decimal(38,4), currency: string?}' });
    expect(report.skipped).toEqual(table.skipped.map((s) => ({ name: s.logicalName, dataverseType: s.dataverseType, reason: s.reason })));
  });

  it('formats a header line, a column table and the skipped columns', () => {
    const text = formatTableReport({
      logicalName: 't',
      entitySetName: 'ts',
      primaryIdAttribute: 'tid',
      primaryNameAttribute: null,
      changeTrackingEnabled: false,
      selected: true,
      columns: [
        { name: 'tid', dataverseType: 'UniqueidentifierType', ourType: 'string', avroType: 'uuid' },
        { name: 'amount', dataverseType: 'MoneyType', ourType: 'amount', avroType: 'Money{value: decimal(38,4), currency: string?}' },
      ],
      skipped: [{ name: 'photo', dataverseType: 'ImageType', reason: 'image column: binary content is not synced' }],
    });
    expect(text).toBe(
      [
        't (entity set ts, key tid; synced by this connection, change tracking off)',
        '  COLUMN  DATAVERSE TYPE        OUR TYPE  AVRO TYPE',
        '  tid     UniqueidentifierType  string    uuid',
        '  amount  MoneyType             amount    Money{value: decimal(38,4), currency: string?}',
        '  skipped columns (1):',
        '    COLUMN  DATAVERSE TYPE  REASON',
        '    photo   ImageType       image column: binary content is not synced',
        '',
      ].join('\n'),
    );
  });
});
