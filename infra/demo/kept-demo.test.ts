import { describe, expect, it } from 'vitest';
import { handoverLines, isSecretSetting, type Handover } from './kept-demo.ts';

const KEY = 'c2VjcmV0LWtleS1vZi10aGUtZGVtby0wMTIzNDU2Nzg5YWI=';
const handover: Handover = {
  dir: '/home/u/.cache/dynsync/demo',
  connection: 'demo1a2b3c',
  statusUrl: 'http://127.0.0.1:40123/',
  orgUrl: 'https://127.0.0.1:40999',
  controlUrl: 'https://127.0.0.1:40999/_control',
  processes: [{ name: 'simulator', pid: 11 }, { name: 'loader', pid: 12 }, { name: 'extractor', pid: 13 }, { name: 'coordinator', pid: 14 }],
  env: {
    KAFKA_BROKERS: '127.0.0.1:9092',
    MONGODB_URI: 'mongodb://127.0.0.1:27017/?directConnection=true',
    DYNSYNC_STATE_DB: 'dynsync',
    DYNSYNC_DEV_ORIGINS: 'https://127.0.0.1:40999',
    DYNSYNC_DEV_CA_PATH: "/home/u/it's/ca.pem",
    DYNSYNC_ENCRYPTION_KEY: KEY,
  },
};

describe('handoverLines', () => {
  const text = handoverLines(handover).join('\n');

  it('gives the status page, the simulator, the processes and how to stop them', () => {
    expect(text).toContain('status page   http://127.0.0.1:40123/');
    expect(text).toContain('simulator     https://127.0.0.1:40999 (Dataverse Web API + Entra ID; control API https://127.0.0.1:40999/_control), pid 11');
    expect(text).toContain('coordinator pid 14, extractor pid 13, loader pid 12');
    expect(text).toContain('`npm run demo -- --stop` stops it');
  });

  it('gives the CLI settings as a line to paste and lists them, the key by reference only', () => {
    expect(text).toContain('   set -a; . /home/u/.cache/dynsync/demo/dynsync.env; set +a');
    expect(text).toContain("   MONGODB_URI='mongodb://127.0.0.1:27017/?directConnection=true'");
    expect(text).toContain("   DYNSYNC_DEV_CA_PATH='/home/u/it'\\''s/ca.pem'");
    expect(text).toContain("   DYNSYNC_ENCRYPTION_KEY=(the demo's throwaway key: in the file, not printed)");
    expect(text).not.toContain(KEY);
  });

  it('gives three commands to try: status, sync and a consumer of a table topic', () => {
    expect(text).toMatch(/\n {3}npx dynsync status --connection demo1a2b3c +#/);
    expect(text).toMatch(/\n {3}npx dynsync sync demo1a2b3c +#/);
    expect(text).toMatch(/\n {3}npm run -s topic -- dynamics\.demo1a2b3c\.account --max 3 +#/);
  });
});

describe('secrets', () => {
  it.each([['DYNSYNC_ENCRYPTION_KEY', true], ['KAFKA_SASL_PASSWORD', true], ['DYNSYNC_DEV_CA_PATH', false], ['KAFKA_BROKERS', false]])('%s secret: %s', (name, secret) => {
    expect(isSecretSetting(name)).toBe(secret);
  });
});
