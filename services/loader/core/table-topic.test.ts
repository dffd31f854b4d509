import { describe, expect, it } from 'vitest';
import { destinationOf } from './table-topic.ts';

describe('destinationOf', () => {
  it('maps a table topic to database and collection', () => {
    expect(destinationOf('dynamics.contoso.account', 'dynsync_')).toEqual({
      connection: 'contoso',
      table: 'account',
      database: 'dynsync_contoso',
      collection: 'account',
    });
  });

  it.each(['sync.tasks', 'dynamics.contoso', 'dynamics.contoso.account.extra', 'dynamics..account', 'dynamics.Contoso.account', 'dynamics.c$.account', 'dynamics.c.system$users'])(
    'refuses %s',
    (topic) => {
      expect(() => destinationOf(topic, 'dynsync_')).toThrow(/not a table topic/);
    },
  );
});
