// A real OpenID Connect provider (npm oidc-provider) on loopback, standing in for Entra ID:
// started as its own process because the package is an ES module. Prints one JSON line with
// its issuer once listening. Arguments: client id, client secret, redirect URI, tenant id.
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const [clientId, clientSecret, redirectUri, tenantId] = process.argv.slice(2);
const server = createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;
const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_post',
      id_token_signed_response_alg: 'RS256',
    },
  ],
  claims: { openid: ['sub', 'tid', 'oid'], profile: ['name', 'preferred_username'], email: ['email'] },
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  // The login name typed in the provider's page is the directory person's mail name.
  findAccount: (_ctx, id) => ({
    accountId: id,
    claims: () => ({ sub: id, tid: tenantId, preferred_username: `${id}@cjf.example.mx`, name: id }),
  }),
});
provider.on('server_error', (_ctx, err) => process.stderr.write(`oidc-provider: ${err.stack}\n`));
server.on('request', provider.callback());
process.stdout.write(`${JSON.stringify({ issuer })}\n`);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
