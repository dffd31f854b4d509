import { describe, expect, it, vi } from 'vitest';
import { MongoClient } from 'mongodb';
import type { Logger } from './log.ts';
import { isReachable, watchReachability } from './store-client.ts';

const fakeLog = () => ({ warn: vi.fn(), info: vi.fn(), debug: vi.fn() });

const change = (from: string, to: string, error?: string) => ({
  address: '127.0.0.1:27017',
  previousDescription: { type: from, error: from === 'Unknown' && error ? new Error(error) : null },
  newDescription: { type: to, error: to === 'Unknown' && error ? new Error(error) : null },
});

describe('isReachable', () => {
  it.each([
    ['Unknown', false],
    ['Standalone', true],
    ['RSPrimary', true],
    ['Mongos', true],
  ])('%s → %s', (type, reachable) => expect(isReachable(type)).toBe(reachable));
});

describe('watchReachability', () => {
  it.each([
    ['reachable → unreachable: one warning with the reason, never the URI', change('Standalone', 'Unknown', 'connection 1 to 127.0.0.1:27017 closed'), 'warn'],
    ['unreachable after an error → reachable: one info', change('Unknown', 'Standalone', 'connect ECONNREFUSED'), 'info'],
    ['first discovery (Unknown without error → reachable): nothing', change('Unknown', 'Standalone'), null],
    ['still unreachable, another reason: nothing', change('Unknown', 'Unknown', 'connect ECONNREFUSED'), null],
    ['still reachable (a round-trip time update): nothing', change('Standalone', 'Standalone'), null],
  ] as const)('%s', (_name, event, level) => {
    const client = new MongoClient('mongodb://user:s3cret@127.0.0.1:27017/');
    const log = fakeLog();
    watchReachability(client, log as unknown as Logger);
    client.emit('serverDescriptionChanged', event as never);
    for (const l of ['warn', 'info'] as const) expect(log[l]).toHaveBeenCalledTimes(l === level ? 1 : 0);
    const logged = JSON.stringify([...log.warn.mock.calls, ...log.info.mock.calls]);
    expect(logged).not.toContain('s3cret');
    if (level === 'warn') expect(log.warn.mock.calls[0]![0]).toEqual({ store: '127.0.0.1:27017', reason: 'connection 1 to 127.0.0.1:27017 closed' });
  });
});
