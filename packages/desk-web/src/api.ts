import { app, authentication } from '@microsoft/teams-js';

export interface Me {
  person: { id: string; name: string; roles: string[]; centreIds: string[] };
  signIn: 'local' | 'oidc' | 'teams';
  csrf?: string;
  timeZone: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
  }
}

let csrf: string | undefined;
let teamsToken: (() => Promise<string>) | undefined;

/** Inside Teams (framed by it), sign-in is Teams SSO: every call carries a fresh Entra token. */
export async function startTeams(): Promise<boolean> {
  if (window.parent === window) return false;
  try {
    await Promise.race([
      app.initialize(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 4000)),
    ]);
  } catch {
    return false;
  }
  teamsToken = () => authentication.getAuthToken();
  return true;
}

export function setCsrf(value: string | undefined): void {
  csrf = value;
}

async function headers(changesState: boolean): Promise<Record<string, string>> {
  const h: Record<string, string> = { Accept: 'application/json' };
  if (teamsToken) h.Authorization = `Bearer ${await teamsToken()}`;
  else if (changesState && csrf) h['X-CSRF-Token'] = csrf;
  if (changesState) h['Content-Type'] = 'application/json';
  return h;
}

export async function api<T>(path: string, init: { method?: 'GET' | 'POST'; body?: unknown } = {}): Promise<T> {
  const method = init.method ?? 'GET';
  const res = await fetch(`/desk/api${path}`, {
    method,
    credentials: 'same-origin',
    headers: await headers(method !== 'GET'),
    ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
  });
  if (res.status === 204) return undefined as T;
  const body = (await res.json().catch(() => ({}))) as { error?: { message?: string } };
  if (!res.ok) throw new ApiError(res.status, body.error?.message ?? 'Ocurrió un error.', body);
  return body as T;
}

/**
 * Follows the service's change stream (fetch, so the Teams token can travel in a header),
 * calling `onChange` for each batch; reconnects after a pause when the stream drops.
 */
export function followChanges(onChange: (folios: string[]) => void): () => void {
  let stopped = false;
  const controller = new AbortController();
  const run = async () => {
    while (!stopped) {
      try {
        const res = await fetch('/desk/api/events', { headers: await headers(false), signal: controller.signal });
        if (!res.ok || !res.body) throw new Error(String(res.status));
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const chunk = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = chunk.split('\n').find((l) => l.startsWith('data: '));
            if (data) onChange((JSON.parse(data.slice(6)) as Array<{ folio: string }>).map((e) => e.folio));
          }
        }
      } catch {
        if (stopped) return;
      }
      await new Promise((r) => setTimeout(r, 2000));
    }
  };
  void run();
  return () => {
    stopped = true;
    controller.abort();
  };
}
