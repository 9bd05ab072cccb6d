import {
  ACTIONS,
  Action,
  ActorFacts,
  availableActions,
  decide,
  ORDER_STATUSES,
  OrderFacts,
  OrderStatus,
} from '../../../services/workflow';
import { AppError } from '../../../services/errors';

/*
 * An independent statement of PROCESS.md "States and transitions" (plus the engineer
 * reassignment of issue 3), written here by hand from the document — not read from the
 * module — so a wrong row in services/workflow fails these tests.
 */
const STATES = [
  'reported',
  'desk',
  'engineer_assigned',
  'diagnosis',
  'provider',
  'validation',
  'signature',
  'validated',
  'resolved',
  'closed',
  'cancelled',
] as const;
const OPEN = STATES.filter((s) => s !== 'closed' && s !== 'cancelled');

type Who =
  | 'ownRequester'
  | 'otherRequester'
  | 'analyst'
  | 'assignedEngineer'
  | 'otherEngineer'
  | 'orderProvider'
  | 'otherProvider'
  | 'centreJudge'
  | 'otherJudge'
  | 'admin';
const WHO: readonly Who[] = [
  'ownRequester',
  'otherRequester',
  'analyst',
  'assignedEngineer',
  'otherEngineer',
  'orderProvider',
  'otherProvider',
  'centreJudge',
  'otherJudge',
  'admin',
];

const TABLE: Record<string, { from: readonly string[]; to: string; who: readonly Who[]; requires: readonly string[] }> =
  {
    take: { from: ['reported'], to: 'desk', who: ['analyst'], requires: [] },
    close_remotely: { from: ['desk'], to: 'closed', who: ['analyst'], requires: ['solution'] },
    assign_engineer: {
      from: ['reported', 'desk'],
      to: 'engineer_assigned',
      who: ['analyst'],
      requires: ['engineerId'],
    },
    reassign: {
      from: ['engineer_assigned', 'diagnosis'],
      to: 'engineer_assigned',
      who: ['analyst'],
      requires: ['engineerId', 'reason'],
    },
    accept: { from: ['engineer_assigned'], to: 'diagnosis', who: ['assignedEngineer'], requires: [] },
    resolve_onsite: { from: ['diagnosis'], to: 'resolved', who: ['assignedEngineer'], requires: ['documentation'] },
    turn_to_provider: { from: ['diagnosis'], to: 'provider', who: ['assignedEngineer'], requires: ['contractId'] },
    record_provider_attention: {
      from: ['provider'],
      to: 'validation',
      who: ['assignedEngineer', 'orderProvider'],
      requires: [],
    },
    confirm: { from: ['validation'], to: 'signature', who: ['ownRequester'], requires: [] },
    reject: { from: ['validation'], to: 'provider', who: ['ownRequester'], requires: ['reason'] },
    sign: { from: ['signature'], to: 'validated', who: ['centreJudge'], requires: [] },
    refuse_signature: { from: ['signature'], to: 'validation', who: ['centreJudge'], requires: ['reason'] },
    document: {
      from: ['validated'],
      to: 'resolved',
      who: ['assignedEngineer', 'orderProvider'],
      requires: ['documentation'],
    },
    close: { from: ['resolved'], to: 'closed', who: ['analyst'], requires: [] },
    cancel: { from: OPEN, to: 'cancelled', who: ['analyst'], requires: ['reason'] },
    // Same state: the order stays where it is.
    set_priority: { from: OPEN, to: 'same', who: ['analyst'], requires: ['priority', 'reason'] },
    correct_facts: { from: OPEN, to: 'same', who: ['analyst', 'assignedEngineer'], requires: ['reason'] },
    // «Sigue fallando»: the requester brings a closed order back to the desk (within a window the use case checks).
    reopen: { from: ['closed'], to: 'desk', who: ['ownRequester'], requires: ['reason'] },
    // Conversation: staff write to the requester, or a note for staff only; the order stays.
    message_requester: { from: OPEN, to: 'same', who: ['analyst', 'assignedEngineer'], requires: ['message'] },
    add_note: { from: OPEN, to: 'same', who: ['analyst', 'assignedEngineer'], requires: ['message'] },
  };

const ACTORS: Record<Who, ActorFacts> = {
  ownRequester: { personId: 'req-1', roles: ['requester'], centreIds: ['C1'] },
  otherRequester: { personId: 'req-2', roles: ['requester'], centreIds: ['C1'] },
  analyst: { personId: 'ana-1', roles: ['analyst'], centreIds: [] },
  assignedEngineer: { personId: 'eng-1', roles: ['engineer'], centreIds: ['C1'] },
  otherEngineer: { personId: 'eng-2', roles: ['engineer'], centreIds: ['C1'] },
  orderProvider: { personId: 'prov-contact-1', roles: ['provider'], centreIds: [], providerId: 'P1' },
  otherProvider: { personId: 'prov-contact-2', roles: ['provider'], centreIds: [], providerId: 'P2' },
  centreJudge: { personId: 'judge-1', roles: ['judge'], centreIds: ['C1'] },
  otherJudge: { personId: 'judge-2', roles: ['judge'], centreIds: ['C2'] },
  admin: { personId: 'adm-1', roles: ['admin'], centreIds: ['C1'] },
};

const FULL_INPUT = {
  solution: 'Se reinstaló el controlador',
  documentation: 'Diagnóstico y solución',
  engineerId: 'eng-2',
  contractId: 'K1',
  reason: 'Motivo suficiente',
  priority: 'high',
  message: 'Mensaje para el solicitante',
};

function orderIn(status: OrderStatus): OrderFacts {
  return { status, requesterId: 'req-1', centreId: 'C1', engineerId: 'eng-1', providerId: 'P1' };
}

function expected(state: string, action: string, who: Who): string {
  const row = TABLE[action]!;
  if (!row.from.includes(state)) return 'INVALID_TRANSITION';
  if (!row.who.includes(who)) return 'FORBIDDEN';
  return `→ ${row.to === 'same' ? state : row.to}`;
}

function outcome(state: OrderStatus, action: Action, who: Who): string {
  try {
    return `→ ${decide(orderIn(state), action, ACTORS[who], FULL_INPUT).to}`;
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
}

describe('workflow transitions', () => {
  it('knows exactly the states and actions of the process', () => {
    expect([...ORDER_STATUSES].sort()).toEqual([...STATES].sort());
    expect([...ACTIONS].sort()).toEqual(Object.keys(TABLE).sort());
  });

  const cases = STATES.flatMap((state) =>
    Object.keys(TABLE).flatMap((action) =>
      WHO.map((who) => [state, action, who, expected(state, action, who)] as const),
    ),
  );

  it.each(cases)('from %s, %s by %s gives %s', (state, action, who, want) => {
    expect(outcome(state, action as Action, who)).toBe(want);
  });

  it.each(STATES.flatMap((state) => WHO.map((who) => [state, who] as const)))(
    'offers in %s to %s exactly the actions the table allows',
    (state, who) => {
      const want = Object.keys(TABLE)
        .filter((a) => expected(state, a, who).startsWith('→'))
        .sort();
      expect(availableActions(orderIn(state), ACTORS[who]).sort()).toEqual(want);
    },
  );

  it.each(Object.entries(TABLE).filter(([, r]) => r.requires.length > 0))(
    'refuses %s as VALIDATION when its required fields are missing or blank',
    (action, row) => {
      const who = ACTORS[row.who[0]!];
      const state = row.from[0] as OrderStatus;
      for (const field of row.requires) {
        for (const value of [undefined, '   ']) {
          const input = { ...FULL_INPUT, [field]: value };
          expect(() => decide(orderIn(state), action as Action, who, input)).toThrow(
            expect.objectContaining({ code: 'VALIDATION' }),
          );
        }
      }
    },
  );

  it('refuses an engineer on an order with no engineer assigned', () => {
    const order = { ...orderIn('engineer_assigned'), engineerId: undefined };
    expect(() => decide(order, 'accept', ACTORS.assignedEngineer)).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN' }),
    );
  });

  it('refuses a requester when the order has no requester id (unverified requester)', () => {
    const order = { ...orderIn('validation'), requesterId: undefined };
    expect(() => decide(order, 'confirm', ACTORS.ownRequester)).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
  });

  it('refuses a provider contact when the order has no provider', () => {
    const order = { ...orderIn('provider'), providerId: undefined };
    const contactWithoutCompany = { ...ACTORS.orderProvider, providerId: undefined };
    expect(() => decide(order, 'record_provider_attention', contactWithoutCompany)).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN' }),
    );
  });
});
