import { ObjectId } from 'mongodb';
import { routeNotices, RoutedTransition, RoutingAudience } from '../../../services/notifications/routing';
import type { ServiceOrder } from '../../../services/orders/types';

const NOW = new Date('2026-03-02T16:00:00Z');
const ID = new ObjectId('65f000000000000000000001');

function order(over: Partial<ServiceOrder> = {}): ServiceOrder {
  return {
    _id: ID,
    folio: 'OS-2026-000001',
    status: 'reported',
    version: 4,
    requester: { personId: 'req-1', name: 'Fernando Ruiz', email: 'fernando@cjf.example.mx' },
    centreId: 'C1',
    channel: 'teams',
    equipment: { type: 'computer' },
    description: 'No enciende',
    priority: 'medium',
    attachments: [],
    timestamps: {},
    history: [],
    outbox: [],
    createdAt: NOW,
    updatedAt: NOW,
    engineer: { personId: 'eng-1', name: 'Miguel Torres', email: 'miguel@cjf.example.mx' },
    provider: { providerId: 'P1', contractId: 'K1', name: 'Tecnoservicios' },
    ...over,
  };
}

const AUDIENCE: RoutingAudience = {
  analysts: [
    { id: 'ana-1', email: 'ana@cjf.example.mx' },
    { id: 'ana-2', email: 'carlos@cjf.example.mx' },
  ],
  judges: [{ id: 'judge-1', email: 'juez@cjf.example.mx' }],
  providerEmails: ['soporte@tecno.example.mx'],
};

function route(
  t: RoutedTransition,
  actor: { personId?: string; email?: string } = { personId: 'someone-else' },
  o = order(),
) {
  return routeNotices(t, o, actor, AUDIENCE, NOW)
    .map((n) => `${n.event}>${n.recipient.personId ?? n.recipient.email}`)
    .sort();
}

describe('routeNotices', () => {
  it('gives the requester the folio and tells every analyst of the new order when reported', () => {
    expect(route({ action: 'report', to: 'reported' }, { personId: 'req-1' }, order({ channel: 'email' }))).toEqual([
      'new_order>ana-1',
      'new_order>ana-2',
      'order_reported>req-1',
    ]);
    // Reported by chat: the bot's reply showed the folio.
    expect(route({ action: 'report', to: 'reported' }, { personId: 'req-1' })).toEqual([
      'new_order>ana-1',
      'new_order>ana-2',
    ]);
  });

  it('does not tell the analyst who registered a phone call about their own report', () => {
    expect(route({ action: 'report', to: 'reported' }, { personId: 'ana-1' })).toEqual([
      'new_order>ana-2',
      'order_reported>req-1',
    ]);
  });

  it('tells only the requester when an analyst takes the order', () => {
    expect(route({ action: 'take', from: 'reported', to: 'desk' }, { personId: 'ana-1' })).toEqual([
      'status_changed>req-1',
    ]);
  });

  it('tells the engineer the order is turned to, and the requester', () => {
    expect(route({ action: 'assign_engineer', from: 'desk', to: 'engineer_assigned' }, { personId: 'ana-1' })).toEqual([
      'order_assigned>eng-1',
      'status_changed>req-1',
    ]);
  });

  it('tells both the new and the previous engineer on a reassignment', () => {
    const t: RoutedTransition = {
      action: 'reassign',
      from: 'diagnosis',
      to: 'engineer_assigned',
      previousEngineer: { personId: 'eng-0', name: 'Jorge' },
    };
    expect(route(t, { personId: 'ana-1' })).toEqual([
      'order_assigned>eng-1',
      'order_unassigned>eng-0',
      'status_changed>req-1',
    ]);
  });

  it('emails the provider contacts when the engineer turns the order to them', () => {
    expect(route({ action: 'turn_to_provider', from: 'diagnosis', to: 'provider' }, { personId: 'eng-1' })).toEqual([
      'status_changed>req-1',
      'turned_to_provider>soporte@tecno.example.mx',
    ]);
  });

  it('asks the requester to validate when the provider attention is recorded, tells the engineer, without echoing the provider', () => {
    const actor = { personId: 'prov-1', email: 'soporte@tecno.example.mx' };
    expect(route({ action: 'record_provider_attention', from: 'provider', to: 'validation' }, actor)).toEqual([
      'provider_attended>eng-1',
      'validation_request>req-1',
    ]);
  });

  it('asks the centre judges to sign and tells analysts when the requester confirms', () => {
    expect(route({ action: 'confirm', from: 'validation', to: 'signature' }, { personId: 'req-1' })).toEqual([
      'order_validated>ana-1',
      'order_validated>ana-2',
      'signature_request>judge-1',
    ]);
  });

  it('tells the engineer and the provider when the requester rejects the attention', () => {
    expect(route({ action: 'reject', from: 'validation', to: 'provider' }, { personId: 'req-1' })).toEqual([
      'validation_rejected>eng-1',
      'validation_rejected>soporte@tecno.example.mx',
    ]);
  });

  it('tells analysts and the requester of a resolution', () => {
    expect(route({ action: 'document', from: 'validated', to: 'resolved' }, { personId: 'eng-1' })).toEqual([
      'order_resolved>ana-1',
      'order_resolved>ana-2',
      'status_changed>req-1',
    ]);
  });

  it('reaches an unverified requester by email', () => {
    const o = order({ requester: { name: 'Visitante', email: 'visita@example.mx', unverified: true } });
    const notices = routeNotices(
      { action: 'close', from: 'resolved', to: 'closed' },
      o,
      { personId: 'ana-1' },
      AUDIENCE,
      NOW,
    );
    expect(notices.map((n) => n.id)).toEqual([`${ID.toHexString()}:4:status_changed:email:visita@example.mx`]);
  });

  it('gives stable ids built from order, version, event and recipient', () => {
    const t: RoutedTransition = { action: 'confirm', from: 'validation', to: 'signature' };
    const first = routeNotices(t, order(), { personId: 'req-1' }, AUDIENCE, NOW).map((n) => n.id);
    const again = routeNotices(t, order(), { personId: 'req-1' }, AUDIENCE, new Date()).map((n) => n.id);
    expect(again).toEqual(first);
    expect(first).toContain(`${ID.toHexString()}:4:signature_request:judge-1`);
    expect(new Set(first).size).toBe(first.length);
  });

  it('never notifies the actor, even when they hold several roles', () => {
    const o = order({ requester: { personId: 'judge-1', name: 'Patricia García' } });
    const ids = route({ action: 'refuse_signature', from: 'signature', to: 'validation' }, { personId: 'judge-1' }, o);
    // The judge refused as judge and is the requester: the others hear why, the judge hears nothing.
    expect(ids.some((id) => id.includes('judge-1'))).toBe(false);
    expect(ids.sort()).toEqual([
      'signature_refused>ana-1',
      'signature_refused>ana-2',
      'signature_refused>eng-1',
      'signature_refused>soporte@tecno.example.mx',
    ]);
  });
});
