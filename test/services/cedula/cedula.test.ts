import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ObjectId } from 'mongodb';
import type { ServiceOrder } from '../../../services/orders/types';
import { CedulaIssuer } from '../../../services/cedula/cedula-issuer';
import { MongoCedulaStore } from '../../../services/cedula/cedula-store';
import { verifyCedula } from '../../../services/cedula/verify-cedula';
import { EXAMPLE_DESK_TARGETS } from '../../support/desk-targets';
import { quietLogger } from '../outbox/fixtures';
import { closeRemotely } from '../../../services/orders/close-remotely';
import { reportOrder } from '../../../services/orders/report-order';
import { takeOrder } from '../../../services/orders/take-order';
import { openWorld, P, reportInput, World } from '../orders/world';
import { ARTIFACTS, closedThroughProvider, SECRET } from './support';
import { cdmx } from '../sla/support';

let w: World;
let store: MongoCedulaStore;
beforeAll(async () => {
  w = await openWorld();
  store = new MongoCedulaStore(w.t.db);
  await store.ensureIndexes();
});
afterAll(async () => {
  await w.t.close();
});

const issuer = (now = '2026-03-04T15:00') =>
  new CedulaIssuer({
    store,
    directory: w.directory,
    desk: EXAMPLE_DESK_TARGETS,
    secret: SECRET,
    logger: quietLogger(),
    now: () => cdmx(now),
  });

function pdfText(pdf: Buffer, name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = join(ARTIFACTS, `${name}.pdf`);
  writeFileSync(file, pdf);
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
}

describe('the Cédula de nivel de servicio', () => {
  let order: ServiceOrder;
  let code: string;
  let pdf: Buffer;

  beforeAll(async () => {
    order = await closedThroughProvider(w);
    expect(await issuer().issueOnce()).toBe(1);
    const record = (await store.byFolio(order.folio))!;
    code = record.code;
    pdf = (await store.readPdf(record.fileId))!;
  });

  it('is issued once after closure and noted on the order, with notices for the requester and the judge', async () => {
    expect(await issuer().issueOnce()).toBe(0);
    const stored = (await w.orders.findById(order._id))!;
    expect(stored.cedula).toMatchObject({ code });
    expect(stored.status).toBe('closed');
    expect(stored.version).toBe(order.version);
    expect(
      stored.outbox
        .filter((n) => n.event === 'cedula_issued')
        .map((n) => n.recipient.personId)
        .sort(),
    ).toEqual([P.requester, P.judge].sort());
  });

  it('says in Spanish what was done, when, by whom and against which target', () => {
    const text = pdfText(pdf, 'cedula');
    for (const expected of [
      'Cédula de nivel de servicio',
      order.folio,
      'Centro de Justicia Penal Federal en la Ciudad de México',
      'Fernando',
      'Equipo de cómputo',
      'CJF-012345',
      'huele a quemado',
      'Alta',
      // activities, in the centre's time
      '02/03/2026 09:00',
      'Reporte de la falla',
      'Tomar la orden',
      'Turnar al proveedor',
      'Registrar atención del proveedor',
      'Confirmar que quedó resuelta',
      'Firmar y sellar',
      'Documentar la atención',
      'Cerrar la orden',
      '04/03/2026 14:00',
      // clocks: target, actual, met / breached
      'Respuesta de la Mesa de Servicio',
      'Atención del proveedor (contrato)',
      'Solución del proveedor (contrato)',
      '30 min',
      '20 min',
      '4 h 00 min',
      '7 h 00 min',
      '16 h 00 min',
      '8 h 00 min',
      'Cumplido',
      'Incumplido',
      '11 h 00 min',
      // provider, validation, signature, closure, code
      'Tecnoservicios Integrales',
      'CJF/DGTI/LPN/014/2026',
      'Validación del solicitante',
      '04/03/2026 10:00',
      'Firma del Juez Administrador',
      'Patricia',
      '04/03/2026 12:00',
      order.signature!.digest,
      'Cerrada',
      code,
      `/cedula/verify/${code}`,
    ]) {
      expect(text).toContain(expected);
    }
  });

  it('renders page 1 to an image for a look (test-artifacts/cedula-1.png)', () => {
    pdfText(pdf, 'cedula');
    execFileSync('pdftoppm', [
      '-png',
      '-r',
      '80',
      '-f',
      '1',
      '-l',
      '1',
      '-singlefile',
      join(ARTIFACTS, 'cedula.pdf'),
      join(ARTIFACTS, 'cedula-1'),
    ]);
    expect(statSync(join(ARTIFACTS, 'cedula-1.png')).size).toBeGreaterThan(20_000);
  });

  it('verifies as authentic and unchanged, also when the code is typed loosely', async () => {
    const deps = { store, secret: SECRET };
    await expect(verifyCedula(deps, code)).resolves.toMatchObject({
      verdict: 'authentic',
      folio: order.folio,
      closedAt: '04/03/2026 14:00',
    });
    await expect(verifyCedula(deps, code.toLowerCase().replace(/-/g, ' '))).resolves.toMatchObject({
      verdict: 'authentic',
    });
  });

  it('reports an unknown or malformed code as unknown', async () => {
    const deps = { store, secret: SECRET };
    await expect(verifyCedula(deps, 'AAAAA-BBBBB-CCCCC-DDDDD')).resolves.toMatchObject({ verdict: 'unknown' });
    await expect(verifyCedula(deps, '<script>')).resolves.toMatchObject({ verdict: 'unknown' });
  });

  it('reports altered content, or a replaced PDF, as tampered', async () => {
    const cedulas = w.t.db.collection<{ _id: ObjectId; content: string; fileId: ObjectId }>('cedulas');
    const record = (await cedulas.findOne({ _id: order._id }))!;
    const deps = { store, secret: SECRET };
    await cedulas.updateOne(
      { _id: order._id },
      { $set: { content: record.content.replace('Incumplido', 'Cumplido') } },
    );
    await expect(verifyCedula(deps, code)).resolves.toMatchObject({ verdict: 'tampered' });
    await cedulas.updateOne({ _id: order._id }, { $set: { content: record.content } });
    await expect(verifyCedula(deps, code)).resolves.toMatchObject({ verdict: 'authentic' });
    await w.t.db
      .collection('cedulas.chunks')
      .updateOne({ files_id: record.fileId, n: 0 }, { $set: { data: Buffer.from('%PDF-1.3 forged') } });
    await expect(verifyCedula(deps, code)).resolves.toMatchObject({ verdict: 'tampered' });
    await expect(verifyCedula({ store, secret: 'another-secret-another-secret-000' }, code)).resolves.toMatchObject({
      verdict: 'tampered',
    });
  });

  it('covers a remote closure: no provider, validation or signature, the solution as the attention', async () => {
    const at = (local: string) => ({ ...w.deps, now: () => cdmx(local) });
    let o = await reportOrder(
      at('2026-03-05T09:00'),
      reportInput({
        priority: 'medium',
        equipment: { type: 'printer' },
        description: 'La impresora de la oficialía no imprime.',
      }),
    );
    o = await takeOrder(at('2026-03-05T09:10'), { orderId: o._id.toHexString(), actorId: P.analyst, channel: 'phone' });
    o = await closeRemotely(at('2026-03-05T09:40'), {
      orderId: o._id.toHexString(),
      actorId: P.analyst,
      channel: 'phone',
      solution: 'Se reinició la cola de impresión de forma remota.',
    });
    await issuer('2026-03-05T10:00').issueOnce();
    const record = (await store.byFolio(o.folio))!;
    const text = pdfText((await store.readPdf(record.fileId))!, 'cedula-remota');
    for (const expected of [
      'Impresora',
      'Cerrar con solución remota',
      'Se reinició la cola de impresión',
      'No requerida',
      'Resolución de la orden',
      '1 h 00 min',
      '40 min',
      record.code,
    ]) {
      expect(text).toContain(expected);
    }
    expect(text).not.toContain('Proveedor ');
    // No judge took part: the Cédula goes to the requester only.
    const stored = (await w.orders.findById(o._id))!;
    expect(stored.outbox.filter((n) => n.event === 'cedula_issued').map((n) => n.recipient.role)).toEqual([
      'requester',
    ]);
  });

  it('issues one Cédula when two issuers race on the same closure', async () => {
    const other = await closedThroughProvider(w);
    const handled = await Promise.all([issuer().issueOnce(), issuer('2026-03-04T15:01').issueOnce()]);
    expect(handled.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
    expect(await w.t.db.collection('cedulas').countDocuments({ folio: other.folio })).toBe(1);
    expect(await w.t.db.collection('cedulas.files').countDocuments({ filename: `cedula-${other.folio}.pdf` })).toBe(1);
    const record = (await store.byFolio(other.folio))!;
    expect((await w.orders.findById(other._id))!.cedula!.code).toBe(record.code);
  });
});
