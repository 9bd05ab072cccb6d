import { noticesTo } from '../notifications/notices';
import { cedulaNoticeDrafts } from '../notifications/cedula-routing';
import type { ObjectId } from 'mongodb';
import type { DirectoryReader } from '../directory/directory-store';
import { AppError } from '../errors';
import { ClockSource } from '../sla/clock-source';
import type { DeskTargetSource } from '../sla/targets';
import { buildCedulaContent, canonicalContent } from './cedula-content';
import { cedulaCode, sha256 } from './cedula-code';
import { renderCedulaPdf } from './cedula-pdf';
import type { CedulaRecord, MongoCedulaStore } from './cedula-store';
import { verifyPath } from './cedula-paths';

export { verifyPath };

export interface IssueCedulaDeps {
  store: Pick<MongoCedulaStore, 'findOrder' | 'uploadPdf' | 'deletePdf' | 'insertOrExisting' | 'markIssued'>;
  directory: Pick<DirectoryReader, 'centre' | 'contractById' | 'judgesOfCentre'>;
  desk: DeskTargetSource;
  secret: string;
  now?: () => Date;
}

/**
 * Issues the Cédula of a closed order: content from the order, the directory and the SLA
 * clocks; the code as an HMAC of that content; the PDF into GridFS; the record; then the
 * order is marked and the requester (and the judge who signed, if any) told, in one write. Idempotent and safe
 * to race: the record's key is the order id, so a second issuer finds the first one's
 * record, drops its own PDF and finishes marking the order with the existing code.
 */
export async function issueCedula(deps: IssueCedulaDeps, orderId: ObjectId): Promise<CedulaRecord> {
  const order = await deps.store.findOrder(orderId);
  if (!order)
    throw new AppError('NOT_FOUND', `order ${orderId.toHexString()} not found`, 'No se encontró la orden de servicio.');
  if (order.status !== 'closed' || !order.timestamps.closedAt) {
    throw new AppError(
      'INVALID_TRANSITION',
      `order ${order.folio} is not closed`,
      'La cédula se emite solo para órdenes cerradas.',
      { folio: order.folio },
    );
  }
  const issuedAt = (deps.now ?? (() => new Date()))();
  const centre = await deps.directory.centre(order.centreId);
  if (!centre)
    throw new AppError(
      'NOT_FOUND',
      `centre ${order.centreId} not in directory`,
      'El centro de la orden no está en el directorio.',
    );
  const source = new ClockSource(deps.directory, deps.desk, centre.timeZone);
  const contract = order.provider ? await source.contract(order.provider.contractId) : null;
  const clocks = await source.clocksOf(order, order.timestamps.closedAt);
  const content = buildCedulaContent({ order, centre, contract, clocks, issuedAt });
  const canonical = canonicalContent(content);
  const code = cedulaCode(deps.secret, canonical);
  const pdf = await renderCedulaPdf(content, verifyPath(code));
  const fileId = await deps.store.uploadPdf(`cedula-${order.folio}.pdf`, pdf);
  const candidate: CedulaRecord = {
    _id: order._id,
    code,
    folio: order.folio,
    content: canonical,
    contentDigest: sha256(canonical),
    pdfDigest: sha256(pdf),
    fileId,
    issuedAt,
  };
  const { record, inserted } = await deps.store.insertOrExisting(candidate);
  if (!inserted) await deps.store.deletePdf(fileId);
  await deps.store.markIssued(
    order._id,
    { code: record.code, issuedAt: record.issuedAt },
    noticesTo(order._id, cedulaNoticeDrafts(order), issuedAt),
  );
  return record;
}
