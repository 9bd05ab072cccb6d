import { MongoAssetOrders } from '../../services/assets/asset-orders';
import { MongoAssetStore } from '../../services/assets/asset-store';
import {
  allOrders,
  DESK,
  Harness,
  REQUESTER,
  runPollerUntilEmpty,
  sendMail,
  startHarness,
  waitForDesk,
} from './support/harness';

describe('mail intake and the equipment register', () => {
  let h: Harness;
  let assets: MongoAssetStore;
  let assetOrders: MongoAssetOrders;
  beforeAll(async () => {
    h = await startHarness();
    assets = new MongoAssetStore(h.db.db);
    await assets.ensureIndexes();
    await assets.replaceAll([
      {
        inventoryNumber: 'CJF-100001',
        type: 'printer',
        brandModel: 'HP LaserJet Pro M404',
        centreId: 'CJPF-CDMX',
        location: 'Sala de audiencias 1',
        contractId: 'CT-1',
      },
    ]);
    assetOrders = new MongoAssetOrders(h.db.db);
    await assetOrders.ensureIndexes();
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  const mail = (subject: string, text: string, id: string) =>
    sendMail(h.stack, {
      from: `José Peña <${REQUESTER.user}>`,
      to: DESK.user,
      subject,
      text,
      messageId: id,
      envelope: { from: REQUESTER.user, to: DESK.user },
    });

  it('links the asset an inventory number in the mail names, and keeps and flags one the register lacks', async () => {
    await mail('Falla en sala 1', 'El equipo cjf-100001 de la sala no responde.', '<asset-1@cjf.example.mx>');
    await mail(
      'No enciende',
      'La computadora de mi oficina (INV-77 / CJF-777777) no enciende.',
      '<asset-2@cjf.example.mx>',
    );
    await waitForDesk(h, 2);
    await runPollerUntilEmpty(h, {
      deps: { assets, assetOrders, inventoryPattern: /\bCJF-\d{6}\b/i },
    });
    const orders = await allOrders(h);
    const linked = orders.find((o) => o.description.includes('cjf-100001'))!;
    expect(linked.equipment).toEqual({
      type: 'printer',
      inventoryNumber: 'CJF-100001',
      location: 'Sala de audiencias 1',
      register: 'linked',
    });
    expect(linked.coverage).toEqual({ contractId: 'CT-1', providerId: 'PROV-1', source: 'asset' });
    const unknown = orders.find((o) => o.description.includes('CJF-777777'))!;
    expect(unknown.equipment).toMatchObject({ type: 'computer', inventoryNumber: 'CJF-777777', register: 'unknown' });
  });
});
