import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { exportLines, shellQuoted } from './shell-env.ts';

describe('infra:up settings as shell exports', () => {
  it.each([
    ['127.0.0.1:9092', '127.0.0.1:9092'],
    ['mongodb://127.0.0.1:27017/?directConnection=true', `'mongodb://127.0.0.1:27017/?directConnection=true'`],
    ['/root/.cache/dynsync/run/tls/ca.pem', '/root/.cache/dynsync/run/tls/ca.pem'],
    ['', `''`],
    [`it's here`, `'it'\\''s here'`],
  ])('%j is written %s', (value, word) => expect(shellQuoted(value)).toBe(word));

  it('a shell that evaluates the lines exports every value unchanged to its children', () => {
    const env = { A_URI: 'mongodb://h:1/?x=1&y=2', B_PATH: '/tmp/a b/c', C_ODD: `q'uote $HOME` };
    const out = execFileSync('sh', ['-c', `eval "$1"; node -e 'console.log(JSON.stringify([process.env.A_URI, process.env.B_PATH, process.env.C_ODD]))'`, 'sh', exportLines(env)], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual(Object.values(env));
  });
});
