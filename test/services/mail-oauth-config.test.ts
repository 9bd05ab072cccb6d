import { loadConfig } from '../../services/config';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    return ((error as { details?: { problems?: Array<{ field: string }> } }).details?.problems ?? []).map(
      (p) => p.field,
    );
  }
};

describe('mail sign-in configuration', () => {
  it('signs in by password unless MAIL_AUTH says oauth2', () => {
    const config = loadConfig({ IMAP_HOST: 'imap.local', IMAP_USER: 'mesa@cjf.example.mx', IMAP_PASSWORD: 'pw' });
    expect(config.mailOAuth).toBeUndefined();
    expect(config.imap?.password).toBe('pw');
  });

  it('reads the client-credentials settings with the Exchange Online scope by default', () => {
    const config = loadConfig({
      MAIL_AUTH: 'oauth2',
      IMAP_HOST: 'outlook.office365.com',
      IMAP_USER: 'mesa@cjf.example.mx',
      MAIL_OAUTH_TENANT_ID: 'tenant',
      MAIL_OAUTH_CLIENT_ID: 'client',
      MAIL_OAUTH_CLIENT_SECRET: 'secret',
    });
    expect(config.imap).toMatchObject({ host: 'outlook.office365.com', user: 'mesa@cjf.example.mx' });
    expect(config.mailOAuth).toEqual({
      tenantId: 'tenant',
      clientId: 'client',
      clientSecret: 'secret',
      authority: undefined,
      scope: 'https://outlook.office365.com/.default',
    });
  });

  it('reports every missing oauth2 setting at once and refuses a plain-http authority', () => {
    expect(
      problemsOf({
        MAIL_AUTH: 'oauth2',
        IMAP_HOST: 'imap.local',
        IMAP_USER: 'u',
        SMTP_HOST: 'smtp.local',
        MAIL_FROM: 'mesa@cjf.example.mx',
      }).sort(),
    ).toEqual(['MAIL_OAUTH_CLIENT_ID', 'MAIL_OAUTH_CLIENT_SECRET', 'MAIL_OAUTH_TENANT_ID', 'SMTP_USER']);
    expect(
      problemsOf({
        MAIL_AUTH: 'oauth2',
        MAIL_OAUTH_TENANT_ID: 't',
        MAIL_OAUTH_CLIENT_ID: 'c',
        MAIL_OAUTH_CLIENT_SECRET: 's',
        MAIL_OAUTH_AUTHORITY: 'http://127.0.0.1:1/t',
      }),
    ).toEqual(['MAIL_OAUTH_AUTHORITY']);
    expect(problemsOf({ MAIL_AUTH: 'kerberos' })).toEqual(['MAIL_AUTH']);
  });
});
