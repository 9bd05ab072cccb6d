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
