import { GridFSBucket, ObjectId, type Db } from 'mongodb';
import type { Request, Response, Server } from 'restify';
import type { Logger } from '../logger';
import { tokenFailureMessage, verifyToken } from '../links/signed-token';
import type { OrderStore } from '../orders/order-store';
import type { AttachmentMeta } from '../orders/types';
import { FILE_LINK_PURPOSE, filesOf, INLINE_IMAGE_TYPES } from './file-links';

/** What the file route reads: the order a link names, and a stored file's bytes. */
export interface FileReads {
  orders: Pick<OrderStore, 'findById'>;
  /** The content of a stored attachment, or null when it is gone. */
  read(fileId: string): Promise<Buffer | null>;
  /** A stored attachment's name and type, for a file of a report still being drafted. */
  describe?(fileId: string): Promise<AttachmentMeta | undefined>;
}

/** The attachments bucket (GridFS) the mail intake stores into, read by id. */
export function gridFsFileReads(db: Db, orders: Pick<OrderStore, 'findById'>): FileReads {
  const bucket = new GridFSBucket(db, { bucketName: 'attachments' });
  return {
    orders,
    async describe(fileId) {
      const [found] = await bucket
        .find({ _id: ObjectId.createFromHexString(fileId) })
        .limit(1)
        .toArray();
      const contentType = (found?.metadata as { contentType?: unknown } | undefined)?.contentType;
      return found
        ? {
            fileId,
            filename: found.filename,
            contentType: typeof contentType === 'string' ? contentType : '',
            size: found.length,
          }
        : undefined;
    },
    async read(fileId) {
      const id = ObjectId.createFromHexString(fileId);
      if ((await bucket.find({ _id: id }).limit(1).toArray()).length === 0) return null;
      const chunks: Buffer[] = [];
      for await (const chunk of bucket.openDownloadStream(id)) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },
  };
}

/** A file name as a header may carry it: ASCII fallback plus the UTF-8 form (RFC 6266). */
function disposition(kind: 'inline' | 'attachment', filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

const refuse = (res: Response, status: number, code: string, message: string) => {
  res.header('Cache-Control', 'no-store');
  res.send(status, { error: { code, message } });
};

/**
 * `GET /files/:token` — one file of an order, for whoever holds a link the service signed
 * (cards, notices). The token is the permission: a forged or malformed one is 403, an
 * expired one 410, both with the Spanish reason and without reading anything. The file must
 * still be one of the order's (never a file of another order under a valid token). Images
 * of the common types are served as images; anything else as an opaque download, so the
 * browser never renders a received file as a page (`nosniff`, a sandboxing CSP).
 */
export function registerFileRoutes(server: Server, deps: { files: FileReads; secret: string; logger: Logger }): void {
  // A wildcard, not `:token`: the router caps a named parameter at 100 characters, and a signed token is longer.
  server.get('/files/*', async (req: Request, res: Response) => {
    try {
      const token = String((req.params as Record<string, unknown>)['*'] ?? '');
      const verified = verifyToken(deps.secret, token, FILE_LINK_PURPOSE);
      if (!verified.ok) {
        deps.logger.warn({ reason: verified.reason }, 'file link refused');
        const expired = verified.reason === 'expired';
        refuse(res, expired ? 410 : 403, expired ? 'EXPIRED' : 'FORBIDDEN', tokenFailureMessage(verified.reason));
        return;
      }
      const { subject: fileId, data } = verified.claims;
      const orderId = data?.orderId ?? '';
      const order = /^[0-9a-f]{24}$/.test(orderId)
        ? await deps.files.orders.findById(ObjectId.createFromHexString(orderId))
        : null;
      // A draft's link names an order not stored yet: the signed file is its own warrant until then.
      const meta = order
        ? filesOf(order).find((f) => f.fileId === fileId)
        : data?.draft === 'true'
          ? await deps.files.describe?.(fileId)
          : undefined;
      const content = meta ? await deps.files.read(fileId) : null;
      if (!meta || !content) {
        refuse(res, 404, 'NOT_FOUND', 'El archivo ya no está disponible. Consulte a la Mesa de Servicio.');
        return;
      }
      const image = INLINE_IMAGE_TYPES.has(meta.contentType);
      res.sendRaw(200, content, {
        'Content-Type': image ? meta.contentType : 'application/octet-stream',
        'Content-Disposition': disposition(image ? 'inline' : 'attachment', meta.filename),
        'X-Content-Type-Options': 'nosniff',
        'Content-Security-Policy': "default-src 'none'; sandbox",
      });
    } catch (error) {
      deps.logger.error({ err: error }, 'file not served');
      refuse(res, 500, 'INTERNAL', 'No fue posible entregar el archivo. Inténtelo más tarde.');
    }
  });
}
