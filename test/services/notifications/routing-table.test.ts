import { ObjectId } from 'mongodb';
import { routeNotices, RoutedTransition, RoutingAudience } from '../../../services/notifications/routing';
import { EVENT_ROUTES, TRANSITION_ROUTES } from '../../../services/notifications/rules';
import { NOTICE_EVENTS } from '../../../services/notifications/events';
import { noticeMessage, NOTICE_MESSAGES } from '../../../services/notifications/messages';
import type { ServiceOrder } from '../../../services/orders/types';
import {
  Action,
  ACTIONS,
  ActorFacts,
  availableActions,
  destinationOf,
  OrderStatus,
  ruleFor,
} from '../../../services/workflow';

const NOW = new Date('2026-03-02T16:00:00Z');

function order(status: OrderStatus, over: Partial<ServiceOrder> = {}): ServiceOrder {
  return {
    _id: new ObjectId('65f000000000000000000002'),
    folio: 'OS-2026-000002',
    status,
    version: 7,
    requester: { personId: 'req', name: 'Fernando Ruiz', email: 'req@cjf.example.mx' },
    centreId: 'C1',
    channel: 'email',
    equipment: { type: 'printer' },
    description: 'No imprime',
    priority: 'high',
    attachments: [],
    timestamps: {},
    history: [],
    outbox: [],
    createdAt: NOW,
    updatedAt: NOW,
    engineer: { personId: 'eng', name: 'Miguel Torres', email: 'eng@cjf.example.mx' },
    provider: { providerId: 'P1', contractId: 'K1', name: 'Tecnoservicios' },
    ...over,
  };
}

const AUDIENCE: RoutingAudience = {
  analysts: [
    { id: 'ana1', email: 'ana1@cjf.example.mx' },
    { id: 'ana2', email: 'ana2@cjf.example.mx' },
  ],
  judges: [{ id: 'judge', email: 'judge@cjf.example.mx' }],
  providerEmails: ['prov@tecno.example.mx'],
};

/**
 * "Who hears what" restated from PROCESS.md without looking at the routing table: for each
 * change, who acts and who must hear which notice. `ana1` acts for the desk.
 */
const EXPECTED: Record<Action | 'report', { actor: string; hears: string[] }> = {
  report: { actor: 'req', hears: ['req:order_reported', 'ana1:new_order', 'ana2:new_order'] },
  take: { actor: 'ana1', hears: ['req:status_changed'] },
  close_remotely: { actor: 'ana1', hears: ['req:status_changed'] },
  assign_engineer: { actor: 'ana1', hears: ['req:status_changed', 'eng:order_assigned'] },
  reassign: { actor: 'ana1', hears: ['req:status_changed', 'eng:order_assigned', 'old-eng:order_unassigned'] },
  accept: { actor: 'eng', hears: ['req:status_changed'] },
  resolve_onsite: { actor: 'eng', hears: ['req:status_changed', 'ana1:order_resolved', 'ana2:order_resolved'] },
  turn_to_provider: { actor: 'eng', hears: ['req:status_changed', 'prov@tecno.example.mx:turned_to_provider'] },
  record_provider_attention: { actor: 'eng', hears: ['req:validation_request'] },
  confirm: { actor: 'req', hears: ['judge:signature_request', 'ana1:order_validated', 'ana2:order_validated'] },
  reject: { actor: 'req', hears: ['eng:validation_rejected', 'prov@tecno.example.mx:validation_rejected'] },
  sign: {
    actor: 'judge',
    hears: [
      'req:status_changed',
      'eng:order_signed',
      'prov@tecno.example.mx:order_signed',
      'ana1:signature_done',
      'ana2:signature_done',
    ],
  },
  refuse_signature: {
    actor: 'judge',
    hears: [
      'req:validation_request',
      'eng:signature_refused',
      'prov@tecno.example.mx:signature_refused',
      'ana1:signature_refused',
      'ana2:signature_refused',
    ],
  },
  document: { actor: 'eng', hears: ['req:status_changed', 'ana1:order_resolved', 'ana2:order_resolved'] },
  close: { actor: 'ana1', hears: ['req:status_changed'] },
  cancel: {
    actor: 'ana1',
    hears: ['req:status_changed', 'eng:order_cancelled', 'prov@tecno.example.mx:order_cancelled'],
  },
  set_priority: { actor: 'ana1', hears: ['ana2:priority_changed', 'eng:priority_changed'] },
  correct_facts: { actor: 'eng', hears: [] },
  reopen: { actor: 'req', hears: ['ana1:order_reopened', 'ana2:order_reopened', 'eng:order_reopened'] },
  message_requester: { actor: 'eng', hears: ['req:staff_message'] },
  add_note: { actor: 'ana1', hears: [] },
};

function transitionOf(action: Action | 'report'): RoutedTransition {
  if (action === 'report') return { action, to: 'reported' };
  const rule = ruleFor(action);
  const from = rule.from[0]!;
  return {
    action,
    from,
    to: destinationOf(rule, { status: from, providerId: 'P1' }),
    previousEngineer: { personId: 'old-eng', name: 'Jorge', email: 'old@cjf.example.mx' },
  };
}

function heard(action: Action | 'report', actor: string, o?: ServiceOrder): string[] {
  const t = transitionOf(action);
  return routeNotices(t, o ?? order(t.to), { personId: actor }, AUDIENCE, NOW)
    .map((n) => `${n.recipient.personId ?? n.recipient.email}:${n.event}`)
    .sort();
}

/** The facts of someone holding `role` who relates to the order as the rule's audience does. */
function recipientFacts(audience: string): ActorFacts {
  switch (audience) {
    case 'requester':
      return { personId: 'req', roles: ['requester'], centreIds: ['C1'] };
    case 'engineer':
      return { personId: 'eng', roles: ['engineer'], centreIds: ['C1'] };
    case 'provider':
      return { personId: 'prov', roles: ['provider'], centreIds: [], providerId: 'P1' };
    case 'judges':
      return { personId: 'judge', roles: ['judge'], centreIds: ['C1'] };
    default:
      return { personId: 'ana1', roles: ['analyst'], centreIds: [] };
  }
}

describe('the routing table', () => {
  it.each([...ACTIONS, 'report' as const])(
    'tells exactly the people PROCESS.md names when the action is %s',
    (action) => {
      const { actor, hears } = EXPECTED[action];
      expect(heard(action, actor)).toEqual([...hears].sort());
    },
  );

  it('has a row for every transition of the workflow and nothing else', () => {
    expect(Object.keys(TRANSITION_ROUTES).sort()).toEqual([...ACTIONS, 'report'].sort());
  });

  it.each(
    Object.entries(TRANSITION_ROUTES).flatMap(([action, rules]) =>
      rules.filter((r) => r.actions.length > 0).map((r) => [action, r.audience, r.actions] as const),
    ),
  )('after %s, offers %s only actions the workflow lets them take (%j)', (action, audience, actions) => {
    const to =
      action === 'report'
        ? 'reported'
        : destinationOf(ruleFor(action as Action), { status: ruleFor(action as Action).from[0]!, providerId: 'P1' });
    expect(
      availableActions(
        { status: to, requesterId: 'req', centreId: 'C1', engineerId: 'eng', providerId: 'P1' },
        recipientFacts(audience),
      ),
    ).toEqual(expect.arrayContaining([...actions]));
  });

  it('sends a person at most one notice per change, even when they hold several roles', () => {
    const o = order('reported', { requester: { personId: 'ana2', name: 'Ana', email: 'ana2@cjf.example.mx' } });
    expect(heard('report', 'ana1', o)).toEqual(['ana2:order_reported']);
    const provIsReq = order('signature', { requester: { name: 'Externo', email: 'PROV@tecno.example.mx' } });
    expect(heard('sign', 'judge', provIsReq)).toEqual(
      ['PROV@tecno.example.mx:status_changed', 'ana1:signature_done', 'ana2:signature_done', 'eng:order_signed'].sort(),
    );
  });

  it('gives a folio receipt to the requester of a mailed or phoned report, but not to one who reported by chat and read it in the reply', () => {
    const report = { action: 'report' as const, to: 'reported' as const };
    const hears = (channel: ServiceOrder['channel'], actor: string) =>
      routeNotices(report, order('reported', { channel }), { personId: actor }, AUDIENCE, NOW)
        .map((n) => `${n.recipient.personId}:${n.event}`)
        .sort();
    expect(hears('email', 'req')).toEqual(['ana1:new_order', 'ana2:new_order', 'req:order_reported']);
    expect(hears('teams', 'req')).toEqual(['ana1:new_order', 'ana2:new_order']);
    // An analyst registering a call from Teams: the requester was not in that chat.
    expect(hears('phone', 'ana1')).toEqual(['ana2:new_order', 'req:order_reported']);
  });

  it('routes SLA warnings and breaches to analysts and the engineer, and the Cédula to the requester and judges', () => {
    expect(EVENT_ROUTES.sla_breach.map((r) => r.audience)).toEqual(['analysts', 'engineer']);
    expect(EVENT_ROUTES.sla_warning.map((r) => r.audience)).toEqual(['analysts', 'engineer']);
    expect(EVENT_ROUTES.cedula_issued.map((r) => r.audience)).toEqual(['requester', 'judges']);
  });
});

describe('the notice catalogue', () => {
  it.each([...NOTICE_EVENTS])('has Spanish words for %s that name the folio', (event) => {
    const text = noticeMessage(
      event,
      order('validation', {
        history: [{ at: NOW, action: 'reject', by: { name: 'X' }, channel: 'teams', note: 'Sigue sin imprimir' }],
      }),
    );
    expect(text.line).toContain('OS-2026-000002');
    expect(`${text.subject} ${text.paragraphs.join(' ')}`).toMatch(/[a-záéíóúñ]/);
    expect(NOTICE_MESSAGES[event]).toBeDefined();
  });

  it('asks the requester whether the failure was solved and carries the reason back on rejection', () => {
    const o = order('provider', {
      history: [{ at: NOW, action: 'reject', by: { name: 'Fernando' }, channel: 'teams', note: 'Sigue sin imprimir' }],
    });
    expect(noticeMessage('validation_request', o).line).toContain('¿Quedó resuelta la falla?');
    expect(noticeMessage('validation_rejected', o).paragraphs).toContain('Motivo: Sigue sin imprimir');
    const refused = order('validation', {
      history: [
        {
          at: NOW,
          action: 'refuse_signature',
          by: { name: 'Juez' },
          channel: 'teams',
          note: 'Falta el número de inventario',
        },
      ],
    });
    expect(noticeMessage('validation_request', refused).paragraphs[0]).toContain(
      'Motivo: Falta el número de inventario',
    );
  });
});
