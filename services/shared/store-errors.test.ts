import { describe, expect, it } from 'vitest';
import { MongoNetworkError, MongoServerError } from 'mongodb';
import { SyncError } from './errors.ts';
import { classifyStoreError } from './store-errors.ts';

describe('classifyStoreError', () => {
  it.each([
    ['a closed connection (driver network error)', new MongoNetworkError('connection 3 to 127.0.0.1:27017 closed'), 'STORE_UNAVAILABLE', /^MongoDB is unreachable: connection 3/],
    ['a refused connection in a plain error', new Error('connect ECONNREFUSED 127.0.0.1:27017'), 'STORE_UNAVAILABLE', /^MongoDB is unreachable/],
    ['FerretDB with its PostgreSQL down', new MongoServerError({ message: 'msg_update.go:55 (handler.(*Handler).msgUpdate): pool.go:90 (documentdb.(*Pool).Acquire): failed to connect to `user=postgres database=postgres`:\n\t127.0.0.1:5433 (127.0.0.1): dial error: dial tcp 127.0.0.1:5433: connect: connection refused', code: 1 }), 'STORE_UNAVAILABLE', /^the store's database \(PostgreSQL behind FerretDB\) is unavailable: msg_update/],
    ['FerretDB when PostgreSQL was just killed', new MongoServerError({ message: 'terminating connection due to unexpected postmaster exit', code: 1 }), 'STORE_UNAVAILABLE', /PostgreSQL behind FerretDB/],
    ['FerretDB while PostgreSQL starts', new MongoServerError({ message: 'FATAL: the database system is starting up (SQLSTATE 57P03)', code: 1 }), 'STORE_UNAVAILABLE', /PostgreSQL behind FerretDB/],
    ['a primary that stepped down', new MongoServerError({ message: 'not primary', code: 10107 }), 'STORE_UNAVAILABLE', /^MongoDB is unreachable: not primary/],
    ['a driver timeout in a plain error', new Error('connection timed out'), 'STORE_UNAVAILABLE', /^MongoDB is unreachable/],
    ['a rejected write', new MongoServerError({ message: 'document is too large', code: 10334 }), 'STORE_WRITE_FAILED', /^MongoDB write failed: document is too large/],
    ['a SyncError passes through', new SyncError('RECORD_INVALID', 'bad record'), 'RECORD_INVALID', /^bad record$/],
  ])('%s → %s', (_name, err, code, message) => {
    const e = classifyStoreError(err);
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
  });
});
