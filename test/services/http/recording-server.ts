import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  body: string;
}

/**
 * A loopback HTTP server that records every request it receives. Posing as a Bot Connector,
 * it accepts activities (200 `{id}`) and answers member look-ups with `member`, which lets a
 * test play a hostile serviceUrl that claims a sender is somebody else.
 */
export async function startRecordingServer(
  member: Record<string, unknown> = {},
): Promise<{ url: string; requests: RecordedRequest[]; close(): Promise<void> }> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString('utf8');
    });
    req.on('end', () => {
      requests.push({ method: req.method ?? '', path: req.url ?? '', body });
      const answer =
        req.method === 'GET' && /\/members\//.test(req.url ?? '') ? member : { id: `reply-${requests.length}` };
      // Two calls: restify, once loaded in this worker, patches http.ServerResponse so writeHead no longer returns the response.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    requests,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
