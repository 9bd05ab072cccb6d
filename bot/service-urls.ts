/**
 * Where the public Teams service sends activities from and takes replies (the regional
 * paths /amer/, /emea/, /apac/... all sit under this prefix). Government clouds use other
 * hosts: name them in BOT_SERVICE_URLS.
 */
export const TEAMS_PUBLIC_SERVICE_URLS = ['https://smba.trafficmanager.net/'] as const;

const LOOPBACK_HOSTS = new Set(['localhost', '[::1]']);

function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

function parse(url: string): URL | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Which connector addresses (an activity's `serviceUrl`) the bot may call and trust. */
export interface ServiceUrlPolicy {
  allows(serviceUrl: string): boolean;
  /** For logs and error messages: the configured prefixes, or "loopback". */
  readonly description: string;
}

/**
 * The bot replies to, and asks about members at, the `serviceUrl` an activity names, so that
 * address decides which host the service calls and whose answers it believes. Only
 * addresses the deployment named are allowed:
 * - `prefixes` given (BOT_SERVICE_URLS): an address is allowed when it has the same scheme,
 *   host and port as a prefix and its path starts with the prefix's path;
 * - none given, with an app id: the public Teams service;
 * - none given, without an app id (local emulator): loopback addresses only.
 */
export function serviceUrlPolicy(options: { appId?: string; serviceUrls?: readonly string[] }): ServiceUrlPolicy {
  const prefixes = options.serviceUrls ?? (options.appId ? TEAMS_PUBLIC_SERVICE_URLS : undefined);
  if (!prefixes) {
    return {
      description: 'loopback',
      allows: (serviceUrl) => {
        const url = parse(serviceUrl);
        return url !== undefined && url.username === '' && url.password === '' && isLoopbackHost(url.hostname);
      },
    };
  }
  const allowed = prefixes.map(parse).filter((u): u is URL => u !== undefined);
  return {
    description: prefixes.join(', '),
    allows: (serviceUrl) => {
      const url = parse(serviceUrl);
      if (!url || url.username !== '' || url.password !== '') return false;
      const path = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
      return allowed.some(
        (p) =>
          p.protocol === url.protocol &&
          p.host === url.host &&
          path.startsWith(p.pathname.endsWith('/') ? p.pathname : `${p.pathname}/`),
      );
    },
  };
}
