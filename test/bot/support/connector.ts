import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ConnectorPost {
  conversationId: string;
  body: {
    type?: string;
    text?: string;
    attachments?: Array<{ contentType: string; content: Record<string, unknown> }>;
  };
}

/** An activity the bot replaced in place (PUT …/activities/<id>). */
export interface ConnectorUpdate extends ConnectorPost {
  activityId: string;
}

/**
 * A loopback stand-in for the Bot Connector: records what the bot posts to conversations
 * and the activities it updates in place, and answers with the status set per
 * conversation (200 by default).
 */
export async function startConnector(): Promise<{
  url: string;
  posts: ConnectorPost[];
  updates: ConnectorUpdate[];
  statusFor: Map<string, number>;
  close(): Promise<void>;
}> {
  const posts: ConnectorPost[] = [];
  const updates: ConnectorUpdate[] = [];
  const statusFor = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => {
      data += c;
    });
    req.on('end', () => {
      const update = /^\/v3\/conversations\/([^/]+)\/activities\/([^/?]+)/.exec(req.url ?? '');
      if (req.method === 'PUT' && update) {
        const conversationId = decodeURIComponent(update[1]!);
        const status = statusFor.get(conversationId) ?? 200;
        const activityId = decodeURIComponent(update[2]!);
        if (status === 200) updates.push({ conversationId, activityId, body: JSON.parse(data) });
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(status === 200 ? { id: activityId } : { error: { code: 'NotFound', message: 'gone' } }));
        return;
      }
      const match = /^\/v3\/conversations\/([^/]+)\/activities/.exec(req.url ?? '');
      if (req.method === 'POST' && match) {
        const conversationId = decodeURIComponent(match[1]!);
        const status = statusFor.get(conversationId) ?? 200;
        if (status === 200) posts.push({ conversationId, body: JSON.parse(data) });
        // Two calls: restify, once loaded in this worker by another test file, patches
        // http.ServerResponse so writeHead no longer returns the response.
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify(
            status === 200
              ? { id: `reply-${posts.length}` }
              : { error: { code: 'BotNotInConversationRoster', message: 'gone' } },
          ),
        );
        return;
      }
      res.writeHead(404);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    posts,
    updates,
    statusFor,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
