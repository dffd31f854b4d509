import { describe, expect, it } from 'vitest';
import { CONNECTION_ID, TABLE_NAME, parseWatermarkId, reconcileTaskId, watermarkId, watermarkIdRange } from './ids.ts';

describe('ids', () => {
  it.each([
    ['acme', true],
    ['acme-eu_2', true],
    ['Acme', false],
    ['-acme', false],
    ['a.b', false],
    ['a'.repeat(49), false],
  ])('connection id %j valid: %s', (id, valid) => expect(CONNECTION_ID.test(id)).toBe(valid));

  it.each([
    ['account', true],
    ['new_widget', true],
    ['1account', false],
    ['Account', false],
    ['account;drop', false],
  ])('table name %j valid: %s', (name, valid) => expect(TABLE_NAME.test(name)).toBe(valid));

  it.each([
    ['acme', 'account', 'acme/account'],
    ['acme', 'a_b', 'acme/a_b'],
  ])('the watermark of %s/%s is %s and parses back', (connection, table, id) => {
    expect(watermarkId(connection, table)).toBe(id);
    expect(parseWatermarkId(id)).toEqual({ connection, table });
  });

  it.each([
    ['acme/a/b', { connection: 'acme', table: 'a/b' }],
    ['lonely', { connection: 'lonely', table: '' }],
  ])('parses the odd watermark id %j', (id, parsed) => expect(parseWatermarkId(id)).toEqual(parsed));

  it.each([
    ['acme/account', true],
    ['acme/new_widget', true],
    ['acme', false],
    ['acme-eu/account', false],
    ['acmex/account', false],
    ['acme0/account', false],
  ])('the id range of "acme" contains %s: %s', (id, inside) => {
    const { $gte, $lt } = watermarkIdRange('acme');
    expect(id >= $gte && id < $lt).toBe(inside);
  });

  it('names the reconciliation task of a table', () => expect(reconcileTaskId('r1', 'account')).toBe('r1/account/reconcile'));
});
