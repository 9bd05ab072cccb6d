/**
 * Cédula generation time: content from a closed order, the verification code, and the PDF,
 * as the issuer does it (storage excluded). Target: ≤ 50 ms each. Run with `npm run bench:cedula`.
 */
import { ObjectId } from 'mongodb';
import { buildCedulaContent, canonicalContent } from '../services/cedula/cedula-content';
import { cedulaCode } from '../services/cedula/cedula-code';
import { renderCedulaPdf } from '../services/cedula/cedula-pdf';
import { verifyPath } from '../services/cedula/issue-cedula';
import type { ServiceOrder } from '../services/orders/types';
import { orderClocks } from '../services/sla/clocks';
import { EXAMPLE_DESK_TARGETS } from './desk-targets';
import type { OrderStatus } from '../services/workflow';

const RUNS = 300;
const WARMUP = 20;
const TARGET_MS = 50;

const centre = {
  id: 'CJPF-CDMX',
  name: 'Centro de Justicia Penal Federal en la Ciudad de México (Reclusorio Norte)',
  state: 'Ciudad de México',
  timeZone: 'America/Mexico_City',
  businessHours: Object.fromEntries(
    ['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, { start: '09:00', end: '18:00' }]),
  ),
  nonWorkingDays: ['2026-11-16'],
};
const contract = {
  number: 'CJF/DGTI/LPN/014/2026',
  hours: 'business' as const,
  attentionHours: { critical: 2, high: 4, medium: 8, low: 16 },
  resolutionHours: { critical: 8, high: 16, medium: 40, low: 80 },
};

function closedOrder(): ServiceOrder {
  const t0 = Date.parse('2026-03-02T15:00:00Z');
  const steps: [OrderStatus, string, number, string][] = [
    ['reported', 'report', 0, 'Fernando Ruiz Delgado'],
    ['desk', 'take', 20, 'Ana Laura López Hernández'],
    ['engineer_assigned', 'assign_engineer', 30, 'Ana Laura López Hernández'],
    ['diagnosis', 'accept', 120, 'Miguel Ángel Torres Sánchez'],
    ['provider', 'turn_to_provider', 180, 'Miguel Ángel Torres Sánchez'],
    ['validation', 'record_provider_attention', 1500, 'Raúl Ibarra Fuentes'],
    ['signature', 'confirm', 2900, 'Fernando Ruiz Delgado'],
    ['validated', 'sign', 3000, 'Patricia García Morales'],
    ['resolved', 'document', 3060, 'Raúl Ibarra Fuentes'],
    ['closed', 'close', 3120, 'Ana Laura López Hernández'],
  ];
  const at = (min: number) => new Date(t0 + min * 60_000);
  const person = (name: string) => ({ name, personId: name.split(' ')[0]!.toLowerCase() });
  return {
    _id: new ObjectId(),
    folio: 'OS-2026-000123',
    status: 'closed',
    version: 10,
    requester: { ...person('Fernando Ruiz Delgado'), email: 'fernando.ruiz@cjf.example.mx' },
    centreId: centre.id,
    channel: 'teams',
    equipment: { type: 'computer', inventoryNumber: 'CJF-012345', location: 'Sala de audiencias 2' },
    description: 'La computadora de la sala de audiencias no enciende; huele a quemado.',
    priority: 'high',
    attachments: [],
    provider: {
      providerId: 'PROV-TECNOSERV',
      contractId: 'CT-2026-001',
      name: 'Tecnoservicios Integrales del Centro, S.A. de C.V.',
    },
    timestamps: {
      reportedAt: at(0),
      takenAt: at(20),
      engineerAssignedAt: at(30),
      acceptedAt: at(120),
      providerAt: at(180),
      providerAttendedAt: at(1500),
      confirmedAt: at(2900),
      signedAt: at(3000),
      resolvedAt: at(3060),
      closedAt: at(3120),
    },
    resolution: {
      documentation: 'Se reemplazó la fuente de poder dañada; el equipo enciende y funciona con normalidad.',
      by: person('Raúl Ibarra Fuentes'),
      at: at(3060),
    },
    validation: { confirmedBy: person('Fernando Ruiz Delgado'), at: at(2900), channel: 'teams' },
    signature: { judge: person('Patricia García Morales'), at: at(3000), digest: 'a'.repeat(64) },
    history: steps.map(([to, action, min, name]) => ({
      at: at(min),
      action: action as never,
      by: person(name),
      channel: 'teams' as const,
      to,
    })),
    outbox: [],
    createdAt: at(0),
    updatedAt: at(3120),
  };
}

async function generate(order: ServiceOrder): Promise<number> {
  const clocks = orderClocks(order, {
    calendar: { zone: centre.timeZone, hours: centre.businessHours, closedDays: centre.nonWorkingDays },
    desk: EXAMPLE_DESK_TARGETS,
    contract,
    now: order.timestamps.closedAt!,
  });
  const content = buildCedulaContent({ order, centre, contract, clocks, issuedAt: new Date() });
  const code = cedulaCode('bench-secret-bench-secret-bench-secret', canonicalContent(content));
  return (await renderCedulaPdf(content, verifyPath(code))).length;
}

async function main(): Promise<void> {
  const order = closedOrder();
  for (let i = 0; i < WARMUP; i += 1) await generate(order);
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < RUNS; i += 1) {
    const start = process.hrtime.bigint();
    bytes = await generate(order);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  const p95 = times[Math.ceil(0.95 * times.length) - 1]!;
  const fmt = (ms: number) => `${ms.toFixed(2)} ms`;
  console.log(`Cédula generation (content + code + PDF), ${RUNS} runs after ${WARMUP} warm-up, ${bytes} bytes each`);
  console.log(
    `  mean ${fmt(mean)}   median ${fmt(times[times.length >> 1]!)}   p95 ${fmt(p95)}   max ${fmt(times[times.length - 1]!)}`,
  );
  console.log(`  target ≤ ${TARGET_MS} ms each: ${p95 <= TARGET_MS ? 'PASS' : 'FAIL'} (p95)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
