import type { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { browserEnv, openBrowser } from './open-browser.ts';

describe('the browser opener', () => {
  it('gets the desktop session, never the secrets of the CLI environment', () => {
    const env = browserEnv({
      PATH: '/usr/bin', HOME: '/home/u', DISPLAY: ':0', XDG_RUNTIME_DIR: '/run/user/1', LANG: 'en_GB.UTF-8', BROWSER: 'firefox', HTTPS_PROXY: 'http://proxy:3128',
      DYNSYNC_ENCRYPTION_KEY: 'k', DYNSYNC_PREVIOUS_ENCRYPTION_KEYS: 'k0:x', KAFKA_SASL_PASSWORD: 'p', SCHEMA_REGISTRY_PASSWORD: 'r', MONGODB_URI: 'mongodb://u:p@h/', NODE_OPTIONS: '--require x',
    });
    expect(Object.keys(env).sort()).toEqual(['BROWSER', 'DISPLAY', 'HOME', 'HTTPS_PROXY', 'LANG', 'PATH', 'XDG_RUNTIME_DIR']);
  });

  it('spawns the opener with that environment', () => {
    let seen: NodeJS.ProcessEnv | undefined;
    const fake = ((_cmd: string, _args: string[], opts: { env?: NodeJS.ProcessEnv }) => {
      seen = opts.env;
      return { on: () => undefined, unref: () => undefined };
    }) as unknown as typeof spawn;
    openBrowser('https://login.example/authorize', { PATH: '/usr/bin', DYNSYNC_ENCRYPTION_KEY: 'a-key-the-browser-must-not-see' }, fake);
    expect(seen).toEqual({ PATH: '/usr/bin' });
  });
});
