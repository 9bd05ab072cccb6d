import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A one-pixel PNG, served as /foto.png. */
export const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
/** A minimal PDF, served as /informe.pdf. */
export const PDF = Buffer.from('%PDF-1.4\n%âãÏÓ\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

export interface FileHost {
  url: string;
  /** The path of every request received, in order. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * A loopback stand-in for Teams' file hosts: serves a photo (/foto.png), a PDF
 * (/informe.pdf) and an endless stream of unannounced length (/enorme.bin); 404 otherwise.
 */
export async function startFileHost(): Promise<FileHost> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url === '/foto.png') {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end(PNG);
    } else if (req.url === '/informe.pdf') {
      res.writeHead(200, { 'content-type': 'application/pdf' });
      res.end(PDF);
    } else if (req.url === '/enorme.bin') {
      // No length announced: the cap must hold while the bytes stream in.
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const chunk = Buffer.alloc(1024 * 1024, 7);
      let sent = 0;
      const push = () => {
        while (sent < 12 && res.write(chunk)) sent += 1;
        if (sent >= 12) res.end();
        else res.once('drain', () => ((sent += 1), push()));
      };
      res.on('error', () => undefined);
      push();
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
