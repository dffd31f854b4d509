import { describe, expect, it } from 'vitest';
import { avroSchemaFor, type AvroRecordSchema } from '../dataverse/mapping/avro-schema.ts';
import { accountTable } from '../dataverse/mapping/account-table.fixture.ts';
import { avroTypeLabels } from './avro-type-label.ts';

describe('avroTypeLabels', () => {
  it.each([
    ['string', 'string'],
    [{ type: 'bytes', logicalType: 'decimal', precision: 38, scale: 4 }, 'decimal(38,4)'],
    [{ type: 'bytes', logicalType: 'decimal', precision: 38 }, 'decimal(38,0)'],
    [{ type: 'long', logicalType: 'timestamp-millis' }, 'timestamp-millis'],
    [{ type: 'int', logicalType: 'date' }, 'date'],
    [{ type: 'string', logicalType: 'uuid' }, 'uuid'],
    [{ type: 'array', items: 'int' }, 'array<int>'],
    [{ type: 'map', values: 'long' }, 'map<long>'],
    [{ type: 'string' }, 'string'],
  ])('a field of type %j is labelled %s', (type, expected) => {
    const schema: AvroRecordSchema = { type: 'record', name: 't', namespace: 'n', fields: [{ name: 'f', type: ['null', type as never] as never, default: null }] };
    expect(avroTypeLabels(schema).get('f')).toBe(expected);
  });

  it('drops the outer null of a field but keeps other union members', () => {
    const schema: AvroRecordSchema = { type: 'record', name: 't', namespace: 'n', fields: [{ name: 'f', type: ['null', 'string', 'int'], default: null }, { name: 'g', type: 'int' }] };
    expect([...avroTypeLabels(schema).values()]).toEqual(['string | int', 'int']);
  });

  it('spells out named records at every use, inner nullable fields with "?"', () => {
    const choice = { type: 'record', name: 'Choice', namespace: 'n.t', fields: [{ name: 'value', type: 'int' }, { name: 'label', type: ['null', 'string'], default: null }] };
    const schema: AvroRecordSchema = {
      type: 'record',
      name: 't',
      namespace: 'n',
      fields: [
        { name: 'a', type: ['null', choice], default: null },
        { name: 'b', type: ['null', 'n.t.Choice'], default: null },
        { name: 'c', type: ['null', { type: 'array', items: 'n.t.Choice' }], default: null },
      ],
    };
    const labels = avroTypeLabels(schema);
    expect([...labels.values()]).toEqual(['Choice{value: int, label: string?}', 'Choice{value: int, label: string?}', 'array<Choice{value: int, label: string?}>']);
  });

  it('labels every field of a real table schema', () => {
    const schema = avroSchemaFor(accountTable(), { namespace: 'dynsync', connection: 'c1' });
    const labels = avroTypeLabels(schema);
    expect(labels.size).toBe(schema.fields.length);
    expect(labels.get('accountid')).toBe('uuid');
    expect(labels.get('revenue')).toBe('Money{value: decimal(38,4), currency: string?}');
    expect(labels.get('modifiedon')).toBe('timestamp-millis');
    expect([...labels.values()].every((l) => !l.includes('dynsync.'))).toBe(true);
  });
});
