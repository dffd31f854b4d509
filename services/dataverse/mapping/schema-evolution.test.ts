import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import type { ColumnDefinition, TableDefinition } from '../model/table-definition.ts';
import { accountTable } from './account-table.fixture.ts';
import { avroSchemaFor } from './avro-schema.ts';
import { avroLogicalTypes } from './logical-types.ts';
import { rowMapper } from './row-mapper.ts';

const ID = 'aaaaaaaa-0000-0000-0000-000000000001';

const naming = { namespace: 'dynsync', connection: 'c1' };
const typeOf = (table: TableDefinition) => avro.Type.forSchema(avroSchemaFor(table, naming) as never, { logicalTypes: avroLogicalTypes });

const v2 = accountTable();
const added: ColumnDefinition | undefined = v2.columns.find((c) => c.logicalName === 'revenue');
const v1: TableDefinition = { ...v2, columns: v2.columns.filter((c) => c !== added) };
const row = { accountid: ID, name: 'Litware', revenue: '1000.5000', statecode: '0', modifiedon: '2024-01-01T00:00:00Z' };

describe('schema evolution: one more nullable column', () => {
  const oldType = typeOf(v1);
  const newType = typeOf(v2);
  const oldBytes = oldType.toBuffer(rowMapper(v1)(row));
  const newBytes = newType.toBuffer(rowMapper(v2)(row));

  it('is BACKWARD compatible: the new schema reads data written with the old one (added field = null)', () => {
    const decoded = newType.fromBuffer(oldBytes, newType.createResolver(oldType)) as Record<string, unknown>;
    expect(decoded.revenue).toBeNull();
    expect(decoded.name).toBe('Litware');
    expect(decoded.statecode).toEqual({ value: 0, label: 'Active' });
    expect(decoded.modifiedon).toEqual(new Date('2024-01-01T00:00:00Z'));
  });

  it('is also FORWARD compatible: the old schema reads data written with the new one (extra field ignored)', () => {
    const decoded = oldType.fromBuffer(newBytes, oldType.createResolver(newType)) as Record<string, unknown>;
    expect(decoded).not.toHaveProperty('revenue');
    expect(decoded.name).toBe('Litware');
  });

  it('is compatible when a column is removed (BACKWARD: the reader ignores the removed field)', () => {
    const decoded = oldType.fromBuffer(newBytes, oldType.createResolver(newType)) as Record<string, unknown>;
    expect(decoded.accountid).toBe(ID);
  });

  it('detects an incompatible change: a decimal scale change cannot be resolved', () => {
    const ratio = v2.columns.find((c) => c.logicalName === 'new_ratio');
    if (!ratio) throw new Error('fixture');
    const rescaled = { ...v2, columns: v2.columns.map((c) => (c === ratio ? { ...c, scale: 4 } : c)) };
    expect(() => typeOf(rescaled).createResolver(newType)).toThrow();
  });

  it('detects an incompatible change: a new field without a null default cannot read old data', () => {
    const schema = avroSchemaFor(v2, naming);
    const strict = { ...schema, fields: schema.fields.map((f) => (f.name === 'revenue' ? { name: f.name, type: 'string' } : f)) };
    expect(() => avro.Type.forSchema(strict as never, { logicalTypes: avroLogicalTypes }).createResolver(oldType)).toThrow();
  });
});
