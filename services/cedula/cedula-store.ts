import { GridFSBucket, type Collection, type Db, type ObjectId, type UpdateFilter } from 'mongodb';
import { queueing } from '../notifications/notices';
import type { PendingNotice, ServiceOrder } from '../orders/types';
import { isDuplicateKey } from '../mongo-errors';

/** One issued Cédula: the signed content, its digests and where its PDF is. */
export interface CedulaRecord {
  /** The order's id: one Cédula per order, enforced by the key itself. */
  _id: ObjectId;
  code: string;
  folio: string;
  /** Canonical JSON of the content, as signed by `code`. */
  content: string;
  contentDigest: string;
  pdfDigest: string;
  fileId: ObjectId;
  issuedAt: Date;
}

/**
 * Cédulas in MongoDB: records in `cedulas`, PDFs in the GridFS bucket `cedulas`
 * (`cedulas.files` / `cedulas.chunks`, through the driver's GridFSBucket).
 */
export class MongoCedulaStore {
  private readonly records: Collection<CedulaRecord>;
  private readonly orders: Collection<ServiceOrder>;
  private readonly bucket: GridFSBucket;

  constructor(db: Db) {
    this.records = db.collection<CedulaRecord>('cedulas');
    this.orders = db.collection<ServiceOrder>('orders');
    this.bucket = new GridFSBucket(db, { bucketName: 'cedulas' });
  }

  async ensureIndexes(): Promise<void> {
    await this.records.createIndex({ code: 1 }, { unique: true });
    await this.records.createIndex({ folio: 1 });
    // `cedula.code: null` matches orders without a Cédula through this index.
    await this.orders.createIndex({ status: 1, 'cedula.code': 1 });
  }

  /** Closed orders that still lack their Cédula (the issuer's work list). */
  async closedWithoutCedula(limit: number): Promise<ObjectId[]> {
    const docs = await this.orders
      .find({ status: 'closed', 'cedula.code': null }, { projection: { _id: 1 } })
      .limit(limit)
      .toArray();
    return docs.map((d) => d._id);
  }

  findOrder(id: ObjectId): Promise<ServiceOrder | null> {
    return this.orders.findOne({ _id: id }, { projection: { outbox: 0 } });
  }

  async uploadPdf(filename: string, pdf: Buffer): Promise<ObjectId> {
    const upload = this.bucket.openUploadStream(filename, { metadata: { contentType: 'application/pdf' } });
    await new Promise<void>((resolve, reject) => {
      upload.once('finish', () => resolve());
      upload.once('error', reject);
      upload.end(pdf);
    });
    return upload.id;
  }

  async deletePdf(fileId: ObjectId): Promise<void> {
    await this.bucket.delete(fileId).catch(() => undefined);
  }

  async readPdf(fileId: ObjectId): Promise<Buffer | null> {
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of this.bucket.openDownloadStream(fileId)) chunks.push(chunk as Buffer);
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') return null;
      throw error;
    }
    return Buffer.concat(chunks);
  }

  /** Inserts the record; when one exists for the order already, returns that one instead. */
  async insertOrExisting(record: CedulaRecord): Promise<{ record: CedulaRecord; inserted: boolean }> {
    try {
      await this.records.insertOne(record);
      return { record, inserted: true };
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const existing = await this.records.findOne({ _id: record._id });
      if (!existing) throw error;
      return { record: existing, inserted: false };
    }
  }

  /**
   * Notes the Cédula on the order and queues its notices in one write, only if the order
   * has none yet; like a threshold notice, this is not a state change (no version bump).
   */
  async markIssued(
    orderId: ObjectId,
    cedula: NonNullable<ServiceOrder['cedula']>,
    notices: PendingNotice[],
  ): Promise<boolean> {
    const result = await this.orders.updateOne(
      { _id: orderId, cedula: { $exists: false } },
      queueing({ $set: { cedula } }, notices) as UpdateFilter<ServiceOrder>,
    );
    return result.modifiedCount === 1;
  }

  byCode(code: string): Promise<CedulaRecord | null> {
    return this.records.findOne({ code: String(code) });
  }

  /** The issued PDF of an order (the record's key is the order id); null when there is none. */
  async pdfOfOrder(orderId: ObjectId): Promise<{ folio: string; pdf: Buffer } | null> {
    const record = await this.records.findOne({ _id: orderId }, { projection: { folio: 1, fileId: 1 } });
    const pdf = record ? await this.readPdf(record.fileId) : null;
    return record && pdf ? { folio: record.folio, pdf } : null;
  }

  byFolio(folio: string): Promise<CedulaRecord | null> {
    return this.records.findOne({ folio: String(folio) });
  }
}
