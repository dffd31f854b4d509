/**
 * Bad input, group 1: malicious or malformed organisation URLs. `parseOrgUrl` decides where our servers send a
 * bearer token, so every refusal must be ORG_URL_INVALID with a message that names the problem and shows a valid
 * URL, never echoing the input (it may carry a password or a token). A few go through `dynsync connect` as a real
 * process: exit 2, the same message, nothing stored.
 */
import { randomBytes } from 'node:crypto';
import type { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseOrgUrl } from '../../services/dataverse/org/org-url.ts';
import { orgUrlRefusal as refusal } from '../../services/dataverse/org/org-url-refusal.fixture.ts';
import { runDynsync } from '../cli/cli-harness.ts';
import { servers, testMongo, uniqueName } from '../support/servers.ts';
import { findSecrets } from './secret-scan.ts';

const EXAMPLE = 'for example https://org123.crm12.dynamics.com';
/** Strings that stand for secrets inside URLs; none may appear in a message. */
const TOKEN = 'tok3nSECRETvalue';
const PASSWORD = 'pw5ECRETvalue';

const CASES: [string, string, RegExp][] = [
  ['http scheme', `http://contoso.crm.dynamics.com/?access_token=${TOKEN}`, /the scheme must be https, not http/],
  ['IPv4 literal', 'https://10.0.0.1/api/data/v9.2', /IP addresses are not accepted, use the host name/],
  ['IPv4 metadata service', 'https://169.254.169.254/latest/meta-data', /IP addresses are not accepted/],
  ['IPv4 in decimal form', 'https://2130706433/', /(IP addresses|written plainly|not a Dataverse environment host)/],
  ['IPv6 literal', 'https://[::1]/', /IP addresses are not accepted/],
  ['IPv6 mapped IPv4', 'https://[::ffff:127.0.0.1]:443/', /IP addresses are not accepted/],
  ['localhost', 'https://localhost/api/data/v9.2', /localhost is not a Dataverse host/],
  ['localhost subdomain', 'https://contoso.localhost/', /localhost is not a Dataverse host/],
  ['other domain', 'https://evil.com/', /"evil.com" is not a Dataverse environment host/],
  ['suffix look-alike', `https://contoso.crm.dynamics.com.evil.com/?token=${TOKEN}`, /"contoso.crm.dynamics.com.evil.com" is not a Dataverse environment host/],
  ['prefix look-alike', 'https://evil-crm.dynamics.com/', /is not a Dataverse environment host/],
  ['two labels before the suffix', 'https://a.b.crm.dynamics.com/', /is not a Dataverse environment host/],
  ['user and password', `https://admin:${PASSWORD}@contoso.crm.dynamics.com/`, /must not contain a user name or password/],
  ['user info hiding the real host', `https://contoso.crm.dynamics.com:${PASSWORD}@evil.com/`, /user name or password/],
  ['very long host', `https://${'a'.repeat(70)}.crm.dynamics.com/`, /is not a Dataverse environment host/],
  ['over 2048 characters', `https://contoso.crm.dynamics.com/?q=${'x'.repeat(2100)}${TOKEN}`, /longer than 2048 characters/],
  ['unicode look-alike (Cyrillic o)', 'https://cоntoso.crm.dynamics.com/', /non-ASCII characters \(look-alike letters are not accepted\)/],
  ['ideographic full stop', 'https://contoso。crm.dynamics.com/', /non-ASCII/],
  ['punycode label', 'https://xn--cntoso-2of.crm.dynamics.com/', /punycode/],
  ['percent-encoded host', 'https://contoso%2Ecrm.dynamics.com/', /written plainly/],
  ['trailing dot', 'https://contoso.crm.dynamics.com./', /must not end with a dot/],
  ['empty', '', /it is empty/],
  ['blank', '   ', /it is empty/],
  ['other port', 'https://contoso.crm.dynamics.com:8443/', /port 8443 is not allowed/],
  ['backslash trick', 'https://evil.com\\@contoso.crm.dynamics.com/', /backslash/],
  ['Global Discovery host', 'https://globaldisco.crm.dynamics.com/', /Microsoft service host, not an environment/],
  ['no scheme', 'contoso.crm.dynamics.com', /must start with https:\/\//],
  ['javascript scheme', 'javascript:fetch("https://evil.com")', /must start with https:\/\//],
];

describe('organisation URLs: parseOrgUrl', () => {
  it.each(CASES)('%s is ORG_URL_INVALID with an actionable message and no echo', (_name, input, reason) => {
    const message = refusal(input);
    expect(message).toMatch(reason);
    expect(message).toContain('Invalid organisation URL:');
    expect(message).toContain(EXAMPLE);
    expect(message).not.toContain(TOKEN);
    expect(message).not.toContain(PASSWORD);
    expect(message).not.toContain('x'.repeat(100));
  });

  it('a dev origin is matched exactly, never as a prefix or suffix', () => {
    const dev = { allowDevHosts: ['https://127.0.0.1:8443'] };
    expect(parseOrgUrl('https://127.0.0.1:8443/api/data/v9.2', dev).cloud).toBe('dev');
    expect(refusal('https://127.0.0.1:8444/', dev)).toMatch(/port 8444 is not allowed/);
    expect(refusal('http://127.0.0.1:8443/', dev)).toMatch(/not http/);
    expect(refusal('https://user@127.0.0.1:8443/', dev)).toMatch(/user name or password/);
  });
});

describe('organisation URLs: dynsync connect', () => {
  let mongo: MongoClient;
  const stateDb = uniqueName('badurl');
  const env = {
    MONGODB_URI: servers.mongoUri(),
    KAFKA_BROKERS: servers.brokers().join(','),
    DYNSYNC_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    DYNSYNC_STATE_DB: stateDb,
    DYNSYNC_SECRETS_DB: stateDb,
    LOG_LEVEL: 'warn',
  };
  const outputs: string[] = [];

  beforeAll(async () => {
    mongo = await testMongo();
  });
  afterAll(async () => {
    await mongo?.close();
  });

  it.each([
    ['user info', `https://admin:${PASSWORD}@contoso.crm.dynamics.com/`, /user name or password/],
    ['IP literal', 'https://[::1]/', /IP addresses are not accepted/],
    ['look-alike', `https://contoso.crm.dynamics.com.evil.com/?token=${TOKEN}`, /is not a Dataverse environment host/],
  ])('%s: exit 2, ORG_URL_INVALID, nothing stored, input not echoed', async (_name, org, reason) => {
    const name = uniqueName('url').replace('-', '');
    const r = await runDynsync(['connect', '--name', name, '--org', org, '--tenant', 'contoso.onmicrosoft.com', '--client-id', '11111111-2222-3333-4444-555555555555', '--client-secret-stdin'], env, `cs-${PASSWORD}`);
    outputs.push(r.stdout, r.stderr);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error [ORG_URL_INVALID]: Invalid organisation URL:');
    expect(r.stderr).toMatch(reason);
    expect(r.stderr).toContain(EXAMPLE);
    expect(findSecrets(r.stdout + r.stderr, [TOKEN, PASSWORD])).toEqual([]);
    expect(await mongo.db(stateDb).collection('connections').countDocuments({ _id: name as never })).toBe(0);
    expect(await mongo.db(stateDb).collection('secrets').countDocuments({ connectionId: name })).toBe(0);
  });
});
