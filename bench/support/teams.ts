import { randomUUID } from 'node:crypto';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { EXAMPLE_DIRECTORY } from './paths';

/** Deterministic AAD object id per directory person (the bench directory gives everyone one). */
export function aadOf(personId: string): string {
  let h = 0;
  for (const c of personId) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return `00000000-0000-4000-8000-${h.toString(16).padStart(12, '0')}`;
}

/**
 * A Teams message (or, with `extra`, any activity) from `personId` in their 1:1 chat
 * `conversationId`, asking for the replies in the HTTP answer (`expectReplies`), as the
 * echo bot is asked too.
 */
export function activity(
  serviceUrl: string,
  conversationId: string,
  personId: string,
  extra: Record<string, unknown>,
): Record<string, unknown> {
  return {
    type: 'message',
    id: randomUUID(),
    channelId: 'msteams',
    serviceUrl,
    locale: 'es-MX',
    timestamp: new Date().toISOString(),
    deliveryMode: 'expectReplies',
    from: { id: `29:${personId}`, name: personId, aadObjectId: aadOf(personId) },
    recipient: { id: '28:bot', name: 'Mesa de Servicio' },
    conversation: { id: conversationId, conversationType: 'personal' },
    ...extra,
  };
}

/**
 * Writes the example directory plus `requesters` (each with their own 1:1 chat, as in Teams)
 * to `file`, everyone with an AAD id, and returns it.
 */
export function writeBenchDirectory(
  file: string,
  requesters: readonly string[],
): { people: Array<Record<string, unknown>> } {
  const directory = JSON.parse(readFileSync(EXAMPLE_DIRECTORY, 'utf8')) as { people: Array<Record<string, unknown>> };
  requesters.forEach((id, i) => {
    directory.people.push({
      id,
      name: `Solicitante ${i}`,
      email: `${id}@cjf.example.mx`,
      roles: ['requester'],
      centreIds: ['CJPF-CDMX'],
      extension: String(5000 + (i % 4000)),
    });
  });
  for (const p of directory.people) p.aadObjectId = aadOf(String(p.id));
  writeFileSync(file, JSON.stringify(directory));
  return directory;
}

/**
 * Loopback Bot Connector: accepts every activity posted to it (proactive notices) and
 * answers at once, so the service's outbox finishes its work as it would against Teams.
 */
export async function startConnector(): Promise<{ url: string; posts(): number; close(): Promise<void> }> {
  let posts = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      posts += 1;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: `a-${posts}` }));
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    posts: () => posts,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
