import { ObjectId } from 'mongodb';
import type { HistoryEntry, PersonSnapshot, ServiceOrder } from '../../services/orders/types';
import type { Action, OrderStatus } from '../../services/workflow';
import { FIRST_ENTERED } from '../../test/support/order-life';

/** Who works a generated order: the bench directory's people of its centre. */
export interface DeskPeople {
  analysts: PersonSnapshot[];
  engineersByCentre: Map<string, PersonSnapshot[]>;
  requestersByCentre: Map<string, PersonSnapshot[]>;
  judgesByCentre: Map<string, PersonSnapshot>;
}

const MINUTE = 60_000;
const DAY = 86_400_000;

/** Deterministic pseudo-random numbers in [0, 1000) for order `i` and draw `k`. */
const draw = (i: number, k: number) => ((Math.imul(i + 1, 2654435761) ^ Math.imul(k + 7, 40503)) >>> 0) % 1000;

const pick = <T>(xs: readonly T[], n: number): T => xs[n % xs.length]!;

const DESCRIPTIONS = [
  'La impresora de la sala de audiencias no imprime; marca atasco de papel aunque la bandeja está vacía y ya se reinició dos veces sin resultado.',
  'El equipo de grabación de audiencias no reconoce el micrófono del juez; la audiencia de las 12:00 está en riesgo de diferirse si no se atiende.',
  'La computadora de la oficialía de partes no enciende después del corte de energía de anoche; se escucha un pitido largo al presionar el botón.',
  'No hay red en el segundo piso: los equipos muestran "sin acceso a internet" y el sistema de gestión judicial no abre desde las 9:00.',
  'El teléfono de la extensión de la sala 2 no tiene tono; ya se revisó el cable y el problema sigue, se requiere para enlazar a la fiscalía.',
];
const NOTES = [
  'Se revisó en sitio; se reemplazó el cable de alimentación y se dejaron pruebas de impresión firmadas por el usuario.',
  'Se reinstaló el controlador del dispositivo y se verificó la grabación de prueba con el área de audiencias.',
  'El proveedor acudió con refacción; se anexa reporte de servicio con número de serie de la pieza sustituida.',
];

/**
 * The path of an order through the workflow: most go desk → engineer → on-site solution →
 * closed; about one in five through a provider (with validation and the judge's signature);
 * a few closed remotely, a few cancelled.
 */
function path(i: number): Array<[Action | 'report', OrderStatus]> {
  const kind = draw(i, 1);
  const onsite: Array<[Action | 'report', OrderStatus]> = [
    ['report', 'reported'],
    ['take', 'desk'],
    ['assign_engineer', 'engineer_assigned'],
    ['accept', 'diagnosis'],
  ];
  if (kind < 30)
    return [
      ['report', 'reported'],
      ['cancel', 'cancelled'],
    ];
  if (kind < 180)
    return [
      ['report', 'reported'],
      ['take', 'desk'],
      ['close_remotely', 'closed'],
    ];
  if (kind < 380) {
    return [
      ...onsite,
      ['turn_to_provider', 'provider'],
      ['record_provider_attention', 'validation'],
      ['confirm', 'signature'],
      ['sign', 'validated'],
      ['document', 'resolved'],
      ['close', 'closed'],
    ];
  }
  return [...onsite, ['resolve_onsite', 'resolved'], ['close', 'closed']];
}

/**
 * Order `i` of a desk that received its orders evenly over `[start, end)` at `centres`: a
 * realistic document of about 3 KB (texts, people snapshots, a history with its
 * notification outcomes). How far it got depends on its age, as at a real desk: everything
 * older than two weeks is finished; younger orders stop part-way, the youngest earliest.
 */
export function makeOrder(
  i: number,
  count: number,
  range: { start: number; end: number },
  centres: readonly string[],
  people: DeskPeople,
): ServiceOrder {
  const reportedAt = range.start + Math.floor((i / count) * (range.end - range.start)) + (draw(i, 2) % 60) * MINUTE;
  const centreId = pick(centres, i);
  const requester = pick(people.requestersByCentre.get(centreId)!, draw(i, 3));
  const engineer = pick(people.engineersByCentre.get(centreId)!, draw(i, 4));
  const analyst = pick(people.analysts, draw(i, 5));
  const full = path(i);
  const age = range.end - reportedAt;
  // Younger than two weeks: the order is still on its way, further along the older it is.
  const steps =
    age >= 14 * DAY
      ? full
      : full.slice(
          0,
          Math.max(
            1,
            Math.min(full.length - 1, Math.ceil((age / (14 * DAY)) * full.length * (draw(i, 6) / 1000 + 0.3))),
          ),
        );
  const viaProvider = full.some(([a]) => a === 'turn_to_provider');
  let at = reportedAt;
  const history: HistoryEntry[] = [];
  const timestamps: ServiceOrder['timestamps'] = {};
  let status: OrderStatus = 'reported';
  steps.forEach(([action, to], k) => {
    if (k > 0)
      at +=
        (5 + (draw(i, 10 + k) % (action === 'record_provider_attention' || action === 'confirm' ? 2000 : 240))) *
        MINUTE;
    const by =
      action === 'report' || action === 'confirm'
        ? requester
        : action === 'sign'
          ? people.judgesByCentre.get(centreId)!
          : ['accept', 'resolve_onsite', 'turn_to_provider', 'record_provider_attention', 'document'].includes(action)
            ? engineer
            : analyst;
    history.push({
      at: new Date(at),
      action,
      by,
      channel: action === 'report' ? (draw(i, 7) < 600 ? 'teams' : 'email') : 'teams',
      ...(k > 0 ? { from: status } : {}),
      to,
      ...(action === 'resolve_onsite' || action === 'document' || action === 'close_remotely'
        ? { note: pick(NOTES, i) }
        : {}),
      ...(action === 'cancel' ? { note: 'Reporte duplicado de la misma falla.' } : {}),
    });
    history.push({
      at: new Date(at + 2000),
      action: 'notification',
      by: { name: 'Mesa de Servicio' },
      channel: 'teams',
      notification: { id: `${i}:${k}:r`, recipient: requester.personId!, channel: 'teams', outcome: 'sent_teams' },
    });
    status = to;
    const key = FIRST_ENTERED[to];
    if (key && !timestamps[key]) timestamps[key] = new Date(at);
  });
  const reached = (s: OrderStatus) => steps.some(([, to]) => to === s);
  const year = new Date(reportedAt).getUTCFullYear();
  return {
    _id: new ObjectId(),
    folio: `OS-${year}-${String(i + 1).padStart(6, '0')}`,
    status,
    version: steps.length,
    requester,
    centreId,
    channel: history[0]!.channel === 'email' ? 'email' : 'teams',
    equipment: {
      type: pick(['printer', 'audio_video', 'computer', 'network', 'telephony'] as const, i),
      inventoryNumber: `CJF-${String(draw(i, 8) * 7).padStart(5, '0')}`,
      location: `Sala ${1 + (draw(i, 9) % 6)}`,
    },
    description: pick(DESCRIPTIONS, i),
    contact: { extension: String(4000 + (draw(i, 11) % 900)) },
    priority: pick(['critical', 'high', 'medium', 'medium', 'low'] as const, draw(i, 12)),
    attachments: [],
    ...(reached('desk') ? { analyst } : {}),
    ...(reached('engineer_assigned') ? { engineer } : {}),
    ...(viaProvider && reached('provider')
      ? {
          provider: {
            providerId: 'PROV-TECNOSERV',
            contractId: 'CT-2026-001',
            name: 'Tecnoservicios del Centro S.A. de C.V.',
          },
        }
      : {}),
    ...(reached('resolved')
      ? { resolution: { documentation: pick(NOTES, i), by: engineer, at: timestamps.resolvedAt! } }
      : {}),
    timestamps,
    history,
    outbox: [],
    createdAt: new Date(reportedAt),
    updatedAt: new Date(at),
  };
}
