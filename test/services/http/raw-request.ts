import { request } from 'node:http';

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * One HTTP request with exactly the headers and body given (fetch adds and normalises its
 * own). A server that answers before reading the whole body may close the socket under the
 * upload: the answer, once it came, is what counts, not the write error that follows.
 */
export function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: Buffer | string | Buffer[] } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    let responded = false;
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      responded = true;
      const chunks: Buffer[] = [];
      const done = () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') });
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', done);
      res.on('error', done);
    });
    req.on('error', (error) => {
      if (!responded) reject(error);
    });
    const parts = options.body === undefined ? [] : Array.isArray(options.body) ? options.body : [options.body];
    for (const part of parts) req.write(part);
    req.end();
  });
}

/** A multipart/form-data body with one file of `size` bytes. */
export function multipartBody(size: number): { body: Buffer; contentType: string } {
  const boundary = '----desk-test-boundary';
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  const body = Buffer.concat([Buffer.from(head), Buffer.alloc(size, 0x61), Buffer.from(`\r\n--${boundary}--\r\n`)]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}
