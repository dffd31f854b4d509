import { describe, expect, it } from 'vitest';
import { parseOrgUrl, type OrgTarget } from './org-url.ts';
import { orgUrlRefusal as refusal } from './org-url-refusal.fixture.ts';

const DEV = { allowDevHosts: ['https://127.0.0.1:8443', 'https://localhost:9443'] };

describe('parseOrgUrl accepts real Dataverse hosts and normalises them', () => {
  it.each<[string, string, OrgTarget['cloud']]>([
    ['https://org123.crm12.dynamics.com', 'https://org123.crm12.dynamics.com', 'public'],
    ['https://contoso.crm.dynamics.com', 'https://contoso.crm.dynamics.com', 'public'],
    ['https://contoso.crm4.dynamics.com/', 'https://contoso.crm4.dynamics.com', 'public'],
    ['HTTPS://Contoso.CRM4.Dynamics.COM', 'https://contoso.crm4.dynamics.com', 'public'],
    ['  https://contoso.crm4.dynamics.com  ', 'https://contoso.crm4.dynamics.com', 'public'],
    ['https://contoso.api.crm4.dynamics.com/api/data/v9.2/', 'https://contoso.crm4.dynamics.com', 'public'],
    ['https://contoso.crm.dynamics.com/api/data/v9.0/accounts?$top=1#x', 'https://contoso.crm.dynamics.com', 'public'],
    ['https://contoso.crm.dynamics.com/main.aspx?appid=1&pagetype=entitylist', 'https://contoso.crm.dynamics.com', 'public'],
    ['https://contoso.crm.dynamics.com:443/', 'https://contoso.crm.dynamics.com', 'public'],
    ['https://my-org-2.crm22.dynamics.com', 'https://my-org-2.crm22.dynamics.com', 'public'],
    ['https://tip.crm10.dynamics.com', 'https://tip.crm10.dynamics.com', 'public'],
    ['https://agency.crm9.dynamics.com', 'https://agency.crm9.dynamics.com', 'gcc'],
    ['https://agency.api.crm9.dynamics.com', 'https://agency.crm9.dynamics.com', 'gcc'],
    ['https://agency.crm.microsoftdynamics.us', 'https://agency.crm.microsoftdynamics.us', 'gcc-high'],
    ['https://agency.crm.appsplatform.us', 'https://agency.crm.appsplatform.us', 'dod'],
    ['https://firma.crm.dynamics.cn', 'https://firma.crm.dynamics.cn', 'china'],
    ['https://api.crm.dynamics.com', 'https://api.crm.dynamics.com', 'public'],
  ])('%s → %s (%s)', (input, orgUrl, cloud) => {
    const target = parseOrgUrl(input);
    expect(target).toEqual({ orgUrl, host: orgUrl.slice('https://'.length), cloud, apiBase: `${orgUrl}/api/data/v9.2` });
  });
});

describe('parseOrgUrl refuses anything else with ORG_URL_INVALID', () => {
  it.each<[string, string, RegExp]>([
    ['empty', '', /empty/],
    ['only whitespace', '   \t ', /empty/],
    ['inner whitespace', 'https://contoso .crm.dynamics.com', /spaces/],
    ['tab inside', 'https://contoso.crm.dynamics.com/\tx', /control/],
    ['NUL', 'https://contoso.crm.dynamics.com\u0000.evil.com', /control/],
    ['http', 'http://contoso.crm.dynamics.com', /scheme must be https, not http/],
    ['ftp', 'ftp://contoso.crm.dynamics.com', /not ftp/],
    ['no scheme', 'contoso.crm.dynamics.com', /start with https/],
    ['javascript', 'javascript:alert(1)', /start with https/],
    ['scheme-relative', '//contoso.crm.dynamics.com', /start with https/],
    ['no host', 'https:///contoso.crm.dynamics.com', /followed by the host/],
    ['garbage', 'not a url at all', /spaces/],
    ['garbage without spaces', '%%%', /start with https/],
    ['bad URL', 'https://exa[mple.crm.dynamics.com', /not a URL/],
    ['userinfo', 'https://user:pass@contoso.crm.dynamics.com', /user name or password/],
    ['user only', 'https://user@contoso.crm.dynamics.com', /user name or password/],
    ['userinfo smuggling', 'https://contoso.crm.dynamics.com@evil.com', /user name or password/],
    ['backslash', 'https://evil.com\\@contoso.crm.dynamics.com', /backslash/],
    ['backslash path', 'https://contoso.crm.dynamics.com\\api', /backslash/],
    ['other port', 'https://contoso.crm.dynamics.com:8443', /port 8443/],
    ['port 80', 'https://contoso.crm.dynamics.com:80', /port 80/],
    ['IPv4', 'https://10.0.0.1', /IP addresses/],
    ['IPv4 metadata service', 'https://169.254.169.254/latest', /IP addresses/],
    ['IPv4 hex shorthand', 'https://0x7f.1', /IP addresses/],
    ['IPv4 decimal', 'https://2130706433', /IP addresses/],
    ['IPv6', 'https://[::1]', /IP addresses/],
    ['IPv6 mapped', 'https://[::ffff:127.0.0.1]/', /IP addresses/],
    ['localhost', 'https://localhost', /localhost/],
    ['localhost subdomain', 'https://contoso.localhost', /localhost/],
    ['localhost with port (not allow-listed)', 'https://localhost:8443', /port 8443/],
    ['other domain', 'https://example.com', /not a Dataverse environment host/],
    ['suffix look-alike', 'https://contoso.crm.dynamics.com.evil.com', /not a Dataverse/],
    ['dynamics.com look-alike', 'https://dynamics.com.attacker.net', /not a Dataverse/],
    ['hyphen look-alike', 'https://evil-crm.dynamics.com', /not a Dataverse/],
    ['prefix look-alike', 'https://contoso.evilcrm.dynamics.com', /not a Dataverse/],
    ['no org label', 'https://crm.dynamics.com', /not a Dataverse/],
    ['two org labels', 'https://a.b.crm.dynamics.com', /not a Dataverse/],
    ['dynamics.com without crm', 'https://contoso.dynamics.com', /not a Dataverse/],
    ['crm9x', 'https://contoso.crm9x.dynamics.com', /not a Dataverse/],
    ['crm with 3 digits', 'https://contoso.crm123.dynamics.com', /not a Dataverse/],
    ['crm0', 'https://contoso.crm0.dynamics.com', /not a Dataverse/],
    ['crm1', 'https://contoso.crm1.dynamics.com', /not a Dataverse/],
    ['us look-alike', 'https://contoso.crm.microsoftdynamics.us.evil.io', /not a Dataverse/],
    ['org label with underscore', 'https://con_toso.crm.dynamics.com', /not a Dataverse/],
    ['org label trailing hyphen', 'https://contoso-.crm.dynamics.com', /not a Dataverse/],
    ['double .api', 'https://contoso.api.api.crm.dynamics.com', /not a Dataverse/],
    ['trailing dot', 'https://contoso.crm.dynamics.com./', /end with a dot/],
    ['percent-encoded host', 'https://contoso%2Ecrm.dynamics.com', /written plainly/],
    ['unicode homoglyph', 'https://contoso.crm.dynamicѕ.com', /non-ASCII/],
    ['ideographic full stop', 'https://contoso.crm.dynamics.com。evil.com', /non-ASCII/],
    ['fullwidth letters', 'https://ｃｏｎｔｏｓｏ.crm.dynamics.com', /non-ASCII/],
    ['punycode org', 'https://xn--contso-5ya.crm.dynamics.com', /punycode/],
    ['punycode suffix', 'https://contoso.crm.xn--dynamics-x5a.com', /punycode/],
    ['global discovery', 'https://globaldisco.crm.dynamics.com', /service host/],
    ['too long', `https://contoso.crm.dynamics.com/${'a'.repeat(2100)}`, /longer than 2048/],
  ])('%s', (_name, input, reason) => {
    const message = refusal(input);
    expect(message).toMatch(reason);
    expect(message).toContain('https://org123.crm12.dynamics.com');
  });

  it('refuses the retired Microsoft Cloud Germany, naming its closure', () => {
    expect(refusal('https://firma.crm.microsoftdynamics.de')).toMatch(/Microsoft Cloud Germany, closed in October 2021/);
    expect(refusal('https://firma.api.crm.microsoftdynamics.de/api/data/v9.2')).toMatch(/Microsoft Cloud Germany/);
  });

  it('never echoes a password from the input', () => {
    expect(refusal('https://admin:S3cr3t!@contoso.crm.dynamics.com')).not.toContain('S3cr3t');
  });
});

describe('parseOrgUrl with allowDevHosts', () => {
  it.each([
    ['https://127.0.0.1:8443', 'https://127.0.0.1:8443'],
    ['https://127.0.0.1:8443/api/data/v9.2/', 'https://127.0.0.1:8443'],
    ['HTTPS://LOCALHOST:9443/', 'https://localhost:9443'],
  ])('accepts the exact origin %s', (input, orgUrl) => {
    expect(parseOrgUrl(input, DEV)).toEqual({
      orgUrl,
      host: orgUrl.slice('https://'.length),
      cloud: 'dev',
      apiBase: `${orgUrl}/api/data/v9.2`,
    });
  });

  it.each([
    ['another port', 'https://127.0.0.1:8444', /port 8444/],
    ['no port', 'https://127.0.0.1', /IP addresses/],
    ['http', 'http://127.0.0.1:8443', /must be https/],
    ['shortened IPv4 (not the exact origin)', 'https://127.1:8443', /port 8443/],
    ['userinfo', 'https://u:p@127.0.0.1:8443', /user name or password/],
    ['prefix match', 'https://127.0.0.1:84430', /not a URL|port 84430/],
  ])('refuses %s', (_name, input, reason) => {
    expect(refusal(input, DEV)).toMatch(reason);
  });

  it('still accepts real hosts', () => {
    expect(parseOrgUrl('https://contoso.crm.dynamics.com', DEV).cloud).toBe('public');
  });

  it.each([['http://127.0.0.1:8443'], ['https://127.0.0.1:8443/path'], ['127.0.0.1:8443'], ['https://u@h:1'], ['https://sim.example.com:8443'], ['https://10.1.2.3:8443'], ['https://contoso.crm.dynamics.com']])(
    'rejects the allow-list entry %s as CONFIG_INVALID',
    (entry) => {
      expect(() => parseOrgUrl('https://127.0.0.1:8443', { allowDevHosts: [entry] })).toThrow(
        expect.objectContaining({ code: 'CONFIG_INVALID' }),
      );
    },
  );
});
