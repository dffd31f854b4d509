import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { envField, loadConfig } from './config.ts';
import { isSyncError, type SyncError } from './errors.ts';

const schema = z.object({
  KAFKA_BROKERS: envField.brokers('127.0.0.1:9092'),
  OPS_PORT: envField.port(9101),
  URL: envField.url('http://127.0.0.1:8080'),
  ENABLED: envField.bool(true),
  SECRET: z.string().min(32).optional(),
});

function failure(env: Record<string, string | undefined>): SyncError {
  try {
    loadConfig('svc', schema, env);
  } catch (err) {
    if (isSyncError(err, 'CONFIG_INVALID')) return err;
    throw err;
  }
  throw new Error('expected CONFIG_INVALID');
}

describe('loadConfig', () => {
  it('applies defaults and freezes the result', () => {
    const c = loadConfig('svc', schema, {});
    expect(c).toEqual({ KAFKA_BROKERS: ['127.0.0.1:9092'], OPS_PORT: 9101, URL: 'http://127.0.0.1:8080', ENABLED: true });
    expect(Object.isFrozen(c) && Object.isFrozen(c.KAFKA_BROKERS)).toBe(true);
  });

  it.each([
    ['an empty port', { OPS_PORT: '' }],
    ['a blank port', { OPS_PORT: '  ' }],
    ['empty brokers', { KAFKA_BROKERS: '' }],
  ])('treats %s as unset (its default, never 0 or an empty list)', (_name, env) => {
    const c = loadConfig('svc', schema, env);
    expect(c.OPS_PORT).toBe(9101);
    expect(c.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
  });

  it.each([
    ['OPS_PORT', { OPS_PORT: '99999' }, 'OPS_PORT: Too big'],
    ['OPS_PORT', { OPS_PORT: 'http' }, 'OPS_PORT: Invalid input: expected number'],
    ['KAFKA_BROKERS', { KAFKA_BROKERS: '127.0.0.1:9092,kafka' }, 'KAFKA_BROKERS (item 2): expected host:port'],
    ['URL', { URL: 'ftp://registry' }, 'URL: Invalid URL'],
    ['ENABLED', { ENABLED: 'maybe' }, 'ENABLED: Invalid option'],
  ])('names %s and the problem', (variable, env, text) => {
    const err = failure(env);
    expect(err.message).toContain('svc: invalid configuration (1 problem); fix these environment variables:');
    expect(err.message).toContain(text);
    expect(err.details.variables).toEqual([variable]);
  });

  it('reports every problem at once and never echoes a value', () => {
    const err = failure({ OPS_PORT: '-1', SECRET: 'hunter2-short-secret', URL: 'nope' });
    expect(err.details.variables).toEqual(['OPS_PORT', 'URL', 'SECRET']);
    expect(err.message).toContain('(3 problems)');
    expect(err.message).not.toContain('hunter2');
  });
});
