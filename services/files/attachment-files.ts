import { createHash } from 'node:crypto';
import { Db, GridFSBucket, MongoServerError, ObjectId } from 'mongodb';
import { isDuplicateKey } from '../mongo-errors';
import type { AttachmentMeta } from '../orders/types';

/** The GridFS bucket every received file lives in, whichever channel brought it. */
export const ATTACHMENTS_BUCKET = 'attachments';

/**
 * The limits every channel applies to received files (mail, Teams): larger files, and files
 * beyond the count of one message, are recorded as not stored, with why.
 */
export const FILE_LIMITS = { maxBytes: 10 * 1024 * 1024, maxFiles: 10 } as const;

const SAFE_TYPE = 'application/octet-stream';
const MIME_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}$/;

/** A declared content type kept only when it is a plain `type/subtype`; anything else is opaque bytes. */
export function safeContentType(value: unknown): string {
  const type = typeof value === 'string' ? value.split(';')[0]!.trim().toLowerCase() : '';
  return MIME_TYPE.test(type) ? type : SAFE_TYPE;
}

// eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/g;

/** A file name without path or control characters, at most 200 characters; `fallback` when nothing is left. */
export function safeFileName(value: unknown, fallback: string): string {
  const own = typeof value === 'string' ? value.replace(CONTROL_CHARACTERS, '').split(/[\\/]/).pop()!.trim() : '';
  return (own || fallback).slice(0, 200);
}

/** An ObjectId derived from `seed`: the same source always stores under the same id. */
export function stableObjectId(seed: string): ObjectId {
  return new ObjectId(createHash('sha256').update(seed).digest().subarray(0, 12));
}

const isDuplicate = (error: unknown) => error instanceof MongoServerError && isDuplicateKey(error);

/**
 * Received files in GridFS (bucket `attachments`), shared by the mail intake and the Teams
 * bot so a file is kept, limited and served the same way whichever channel brought it.
 */
export class AttachmentFiles {
  private readonly bucket: GridFSBucket;

  constructor(db: Db) {
    this.bucket = new GridFSBucket(db, { bucketName: ATTACHMENTS_BUCKET });
  }

  /**
   * Stores one file under an id derived from `seed`; storing it again (a retried mail or
   * activity) replaces the partial or complete earlier copy instead of adding a second one.
   */
  async store(seed: string, file: { filename: string; contentType: string; content: Buffer }): Promise<AttachmentMeta> {
    const id = stableObjectId(seed);
    const upload = () =>
      new Promise<void>((resolve, reject) => {
        const stream = this.bucket.openUploadStreamWithId(id, file.filename, {
          metadata: { contentType: file.contentType, seed },
        });
        stream.once('error', reject);
        stream.once('finish', () => resolve());
        stream.end(file.content);
      });
    try {
      await upload();
    } catch (error) {
      if (!isDuplicate(error)) throw error;
      await this.bucket.delete(id).catch(() => undefined); // a copy from an interrupted earlier pass
      await upload();
    }
    return {
      fileId: id.toHexString(),
      filename: file.filename,
      contentType: file.contentType,
      size: file.content.length,
    };
  }

  /** Removes stored files no order names. Best effort: a failure leaves an orphan at worst. */
  async discard(fileIds: readonly string[]): Promise<void> {
    for (const id of fileIds) await this.bucket.delete(ObjectId.createFromHexString(id)).catch(() => undefined);
  }

  async read(fileId: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of this.bucket.openDownloadStream(ObjectId.createFromHexString(fileId)))
      chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }
}
