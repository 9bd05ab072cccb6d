import { absoluteUrl, publicPdfPath, verifyPath } from '../cedula/cedula-paths';
import { EQUIPMENT_LABELS, PRIORITY_LABELS, type ServiceOrder } from '../orders/types';
import { STATUS_LABELS } from '../workflow';
import type { NoticeEvent } from './events';
import { FileLinker, filesOf } from '../files/file-links';
import type { AttachmentMeta } from '../orders/types';

/** The files a notice names: one line each, with its signed link when there is one. */
function filesParagraph(o: ServiceOrder, files: readonly AttachmentMeta[], ctx: NoticeContext): string {
  const stored = files.filter((f) => f.fileId);
  if (stored.length === 0) return '';
  const lines = stored.map((f) => {
    const url = ctx.fileLink?.(o, f);
    return url ? `• ${f.filename}: ${url}` : `• ${f.filename}`;
  });
  return `Archivos (${stored.length}):\n${lines.join('\n')}`;
}

/** What the words of a notice may depend on besides the order. */
export interface NoticeContext {
  /** PUBLIC_BASE_URL: links are absolute under it; unset, they are paths on the service. */
  publicBaseUrl?: string;
  /** Signs links to the order's files; absent, files are named without links. */
  fileLink?: FileLinker;
}

/** The words of one notice: a line for the chat and a subject and paragraphs for a mail. */
export interface NoticeText {
  /** One sentence shown above the order card in Teams (or as the lead line of a digest). */
  line: string;
  /** The mail subject, without the folio tag the email channel puts in front. */
  subject: string;
  /** The mail body, one entry per paragraph; empty entries are dropped by `noticeMessage`. */
  paragraphs: string[];
}

/** The signature closing every mail the service sends. */
export const MAIL_SIGNATURE = 'Mesa de Servicio · Centros de Justicia Penal Federal';

/** Closes a mail about one order: where it stands, and how to add to it by replying. */
export const mailFooter = (o: ServiceOrder): string[] => [
  `Folio: ${o.folio} · Estado: ${STATUS_LABELS[o.status]}`,
  'Puede responder a este correo para agregar información a la orden; conserve el folio en el asunto.',
];

/**
 * History entries that are conversation, not steps of the order: a note found on them is
 * never a step's reason, and an internal note must never reach the requester's words.
 */
const CONVERSATION = new Set<string>(['notification', 'comment', 'message_requester', 'add_note']);
const isStep = (h: ServiceOrder['history'][number]) => !CONVERSATION.has(h.action);

/** The last reason or note recorded on the order (a rejection, a refused signature, a cancellation). */
export function lastNote(order: Pick<ServiceOrder, 'history'>): string | undefined {
  for (let i = order.history.length - 1; i >= 0; i -= 1) {
    const h = order.history[i]!;
    if (isStep(h) && h.note) return h.note;
  }
  return undefined;
}

const status = (o: ServiceOrder) => STATUS_LABELS[o.status];
const equipment = (o: ServiceOrder) => EQUIPMENT_LABELS[o.equipment.type];
const reasonLine = (o: ServiceOrder) => {
  const note = lastNote(o);
  return note ? `Motivo: ${note}` : '';
};

/** The comment most recently added to the order. */
const lastComment = (o: ServiceOrder) => [...o.history].reverse().find((h) => h.action === 'comment');

/** One formatter per time zone (building one costs far more than using it). */
const whenFormats = new Map<string, Intl.DateTimeFormat>();
function when(at: Date, zone: string): string {
  let format = whenFormats.get(zone);
  if (!format)
    whenFormats.set(
      zone,
      (format = new Intl.DateTimeFormat('es-MX', { dateStyle: 'long', timeStyle: 'short', timeZone: zone })),
    );
  return format.format(at);
}

/** A date and time in a zone, naming the zone: a provider may work from another one. */
export function whenInZone(at: Date, zone: string): string {
  return `${when(at, zone)} (hora de ${zone})`;
}

/** The contract deadlines the provider must meet, in the centre's time zone. */
function deadlineLine(o: ServiceOrder): string {
  const d = o.provider?.deadlines;
  return d
    ? `Plazo de atención: ${whenInZone(d.attendBy, d.zone)}. Plazo de solución: ${whenInZone(d.resolveBy, d.zone)}.`
    : '';
}

/** True when the order came back to validation because the judge refused to sign. */
const refusedBy = (o: ServiceOrder) => o.history.filter(isStep).at(-1)?.action === 'refuse_signature';

/** The message staff most recently wrote to the requester. */
const lastStaffMessage = (o: ServiceOrder) => [...o.history].reverse().find((h) => h.action === 'message_requester');

/** A remote closure names its solution in the same sentence that says the order closed. */
const solutionTail = (o: ServiceOrder) =>
  o.status === 'closed' && o.resolution?.solution ? ` Solución: ${o.resolution.solution}` : '';

/** Business days after closure in which the requester may reopen an order (services/orders/reopen-window.ts). */
export const REOPEN_BUSINESS_DAYS = 5;

/** Told with every closure: how to say the failure came back. */
export const REOPEN_HOW =
  `Si la falla continúa, responda «Sigue fallando» a este correo (o use el botón «Sigue fallando» en Teams) ` +
  `dentro de los ${REOPEN_BUSINESS_DAYS} días hábiles siguientes al cierre, e indique qué ocurre: la orden regresará a la Mesa de Servicio.`;

/** Why a report linked to an earlier order is a new one, for its requester. */
const relatedWhy = (o: ServiceOrder) =>
  o.relatedTo
    ? `Es un reporte nuevo relacionado con la orden ${o.relatedTo}: esa orden se cerró hace más de ${REOPEN_BUSINESS_DAYS} días hábiles y ya no puede reabrirse.`
    : '';

/** The earlier order a report follows, for the staff who work it. */
const relatedFact = (o: ServiceOrder) =>
  o.relatedTo ? `Relacionada con la orden ${o.relatedTo}: la falla volvió después de su cierre.` : '';

/** Asked of the requester in the validation request and its reminders. */
export const VALIDATION_QUESTION = '¿Quedó resuelta la falla?';

const VALIDATION_HOW =
  'Confirme con el botón «Confirmar que quedó resuelta» o, por correo, responda «Sí, quedó resuelto»; ' +
  'si la falla persiste, use «Rechazar la atención» o responda «No funciona todavía» e indique el motivo.';

/**
 * The Spanish (es-MX) catalogue of every notice the service sends, by event. Teams and email
 * render from here, so a person reads the same words on either channel.
 */
export const NOTICE_MESSAGES: Record<NoticeEvent, (o: ServiceOrder, ctx: NoticeContext) => NoticeText> = {
  order_reported: (o) => ({
    line: `Tu reporte quedó registrado con el folio ${o.folio}.${o.relatedTo ? ` ${relatedWhy(o)}` : ''}`,
    subject: `Reporte recibido, folio ${o.folio}`,
    paragraphs: [
      `Registramos su reporte con el folio ${o.folio}.`,
      relatedWhy(o),
      `Falla reportada: ${o.description}`,
      'La Mesa de Servicio lo atenderá a la brevedad.',
    ],
  }),
  new_order: (o, ctx) => ({
    line: `Nueva orden de servicio ${o.folio}${o.relatedTo ? `, relacionada con la orden ${o.relatedTo}` : ''}.`,
    subject: `Nueva orden ${o.folio}`,
    paragraphs: [
      `${o.requester.name} reportó una falla (${equipment(o)}).`,
      relatedFact(o),
      o.description,
      filesParagraph(o, filesOf(o), ctx),
    ],
  }),
  status_changed: (o) => ({
    line: `La orden ${o.folio} cambió a «${status(o)}».${solutionTail(o)}`,
    subject: `Su orden ${o.folio}: ${status(o)}`,
    paragraphs: [
      `El estado de su orden ahora es «${status(o)}».`,
      o.status === 'closed' && o.resolution?.solution ? `Solución: ${o.resolution.solution}` : '',
      o.status === 'closed' ? REOPEN_HOW : '',
    ],
  }),
  validation_request: (o) => ({
    line: refusedBy(o)
      ? `El Juez Administrador no firmó la validación de la orden ${o.folio}. ${reasonLine(o)} ${VALIDATION_QUESTION}`
      : `La orden ${o.folio} fue atendida. ${VALIDATION_QUESTION}`,
    subject: `Valide la atención de la orden ${o.folio}: ${VALIDATION_QUESTION}`,
    paragraphs: [
      refusedBy(o)
        ? `El Juez Administrador no firmó la validación de la orden ${o.folio}. ${reasonLine(o)}`
        : `La atención de su reporte ${o.folio} quedó registrada.`,
      VALIDATION_QUESTION,
      VALIDATION_HOW,
    ],
  }),
  validation_reminder: (o) => ({
    line: `Recordatorio: la orden ${o.folio} espera tu validación. ${VALIDATION_QUESTION}`,
    subject: `Recordatorio: valide la atención de la orden ${o.folio}`,
    paragraphs: [`La orden ${o.folio} sigue pendiente de su validación. ${VALIDATION_QUESTION}`, VALIDATION_HOW],
  }),
  order_assigned: (o, ctx) => ({
    line: `Se te turnó la orden ${o.folio}.`,
    subject: `Orden ${o.folio} turnada a usted`,
    paragraphs: [
      `Se le turnó la orden ${o.folio} (${equipment(o)}).`,
      relatedFact(o),
      o.description,
      filesParagraph(o, filesOf(o), ctx),
      'Comuníquese con el solicitante y registre el diagnóstico.',
    ],
  }),
  order_unassigned: (o) => ({
    line: `La orden ${o.folio} se reasignó a otro ingeniero.`,
    subject: `Orden ${o.folio} reasignada`,
    paragraphs: ['La orden fue turnada a otro ingeniero; ya no requiere su atención.', reasonLine(o)],
  }),
  validation_rejected: (o) => ({
    line: `El solicitante rechazó la atención de la orden ${o.folio}. ${reasonLine(o)}`.trim(),
    subject: `La atención de la orden ${o.folio} fue rechazada`,
    paragraphs: [
      `El solicitante indicó que la falla persiste; la orden regresa ${o.provider ? 'al proveedor' : 'al ingeniero'}.`,
      reasonLine(o),
    ],
  }),
  turned_to_provider: (o, ctx) => ({
    line: `La orden ${o.folio} se turnó al proveedor.`,
    subject: `Orden de servicio ${o.folio} turnada a su empresa`,
    paragraphs: [
      `Se turnó a su empresa la orden ${o.folio} (${equipment(o)}).`,
      relatedFact(o),
      o.description,
      o.provider
        ? `Contrato: ${o.provider.contractId}. Atiéndala dentro de los tiempos del contrato.`
        : 'Atiéndala dentro de los tiempos del contrato.',
      deadlineLine(o),
      filesParagraph(o, filesOf(o), ctx),
    ],
  }),
  signature_request: (o) => ({
    line: `La orden ${o.folio} espera tu firma y sello: el solicitante validó la atención.`,
    subject: `Firma pendiente de la orden ${o.folio}`,
    paragraphs: [
      `El solicitante ${o.validation?.confirmedBy.name ?? ''} validó la atención de la orden ${o.folio}; falta su firma y sello.`.replace(
        '  ',
        ' ',
      ),
      `${equipment(o)}: ${o.description}`,
    ],
  }),
  order_validated: (o) => ({
    line: `La orden ${o.folio} fue validada por el solicitante.`,
    subject: `Orden ${o.folio} validada`,
    paragraphs: [`La orden está «${status(o)}».`],
  }),
  order_signed: (o) => ({
    line: `El Juez Administrador firmó la orden ${o.folio}: documenta la atención.`,
    subject: `Orden ${o.folio} firmada: documente la atención`,
    paragraphs: [
      'La validación fue firmada y sellada por el Juez Administrador.',
      'Documente la atención para marcar la orden como «Resuelta».',
    ],
  }),
  signature_done: (o) => ({
    line: `El Juez Administrador ${o.signature?.judge.name ?? ''} firmó y selló la validación de la orden ${o.folio}.`.replace(
      '  ',
      ' ',
    ),
    subject: `Orden ${o.folio} firmada por el Juez Administrador`,
    paragraphs: [
      `La validación de la orden ${o.folio} quedó firmada y sellada; falta documentar la atención para marcarla «Resuelta».`,
    ],
  }),
  signature_refused: (o) => ({
    line: `El Juez Administrador no firmó la validación de la orden ${o.folio}. ${reasonLine(o)}`.trim(),
    subject: `Firma negada en la orden ${o.folio}`,
    paragraphs: [
      `El Juez Administrador no firmó la validación de la orden ${o.folio}; se pidió de nuevo al solicitante que valide la atención.`,
      reasonLine(o),
    ],
  }),
  order_resolved: (o) => ({
    line: `La orden ${o.folio} quedó resuelta.`,
    subject: `Orden ${o.folio} resuelta`,
    paragraphs: ['La atención quedó documentada; la orden puede cerrarse.'],
  }),
  order_cancelled: (o) => ({
    line: `La orden ${o.folio} fue cancelada. ${reasonLine(o)}`.trim(),
    subject: `Orden ${o.folio} cancelada`,
    paragraphs: ['La orden fue cancelada y ya no requiere atención.', reasonLine(o)],
  }),
  provider_attended: (o) => ({
    line: `El proveedor registró la atención de la orden ${o.folio}; el solicitante debe validarla.`,
    subject: `El proveedor atendió la orden ${o.folio}`,
    paragraphs: [
      `${o.provider?.name ?? 'El proveedor'} registró la atención de la orden ${o.folio} (${equipment(o)}).`,
      'Se pidió al solicitante confirmar si la falla quedó resuelta.',
    ],
  }),
  order_reopened: (o) => ({
    line: `El solicitante reabrió la orden ${o.folio}: la falla sigue.`,
    subject: `Orden ${o.folio} reabierta: sigue fallando`,
    paragraphs: [
      `${o.requester.name} indicó que la falla de la orden ${o.folio} (${equipment(o)}) continúa; la orden regresó a la Mesa de Servicio.`,
      reasonLine(o),
    ],
  }),
  sla_warning: (o) => ({
    line: `La orden ${o.folio} está por vencer su tiempo de atención.`,
    subject: `Por vencer: orden ${o.folio}`,
    paragraphs: [`La orden ${o.folio} (${status(o)}) alcanzó el 75 % de su tiempo de atención.`],
  }),
  sla_breach: (o) => ({
    line: `La orden ${o.folio} venció su tiempo de atención.`,
    subject: `Vencida: orden ${o.folio}`,
    paragraphs: [`La orden ${o.folio} (${status(o)}) superó su tiempo de atención.`],
  }),
  cedula_issued: (o, ctx) => {
    const code = o.cedula?.code;
    const verifyUrl = code ? absoluteUrl(ctx.publicBaseUrl, verifyPath(code)) : '';
    const verify = code ? ` Verifícala con el código ${code} en ${verifyUrl}.` : '';
    return {
      line: `Se emitió la Cédula de nivel de servicio de la orden ${o.folio}.${verify}`,
      subject: `Cédula de nivel de servicio emitida, orden ${o.folio}`,
      paragraphs: [
        `La orden ${o.folio} fue cerrada y se emitió su Cédula de nivel de servicio; se adjunta en PDF.`,
        code
          ? `Código de verificación: ${code}. Cualquier persona puede comprobar su autenticidad en ${verifyUrl}.`
          : '',
        code ? `También puede descargar el PDF en ${absoluteUrl(ctx.publicBaseUrl, publicPdfPath(code))}.` : '',
      ],
    };
  },
  priority_changed: (o) => ({
    line: `La orden ${o.folio} tiene ahora prioridad ${PRIORITY_LABELS[o.priority]}.`,
    subject: `Orden ${o.folio}: prioridad ${PRIORITY_LABELS[o.priority]}`,
    paragraphs: [
      `La Mesa de Servicio cambió la prioridad de la orden ${o.folio} (${equipment(o)}) a ${PRIORITY_LABELS[o.priority]}; sus tiempos de atención se calculan ya con ella.`,
      reasonLine(o),
    ],
  }),
  staff_message: (o) => {
    const m = lastStaffMessage(o);
    const who = m?.by.name ?? 'La Mesa de Servicio';
    return {
      line: `${who} te escribe sobre la orden ${o.folio}: ${m?.note ?? ''}`.trim(),
      subject: `Mensaje sobre su orden ${o.folio}`,
      paragraphs: [
        `${who} le escribe sobre su orden ${o.folio}:`,
        m?.note ?? '',
        `Para contestar, responda a este correo o, en Teams, escriba «agregar ${o.folio} <su respuesta>».`,
      ],
    };
  },
  order_comment: (o, ctx) => {
    const c = lastComment(o);
    return {
      line: `${c?.by.name ?? 'Alguien'} comentó en la orden ${o.folio}: ${c?.note ?? ''}`.trim(),
      subject: `Nuevo comentario en la orden ${o.folio}`,
      paragraphs: [
        `${c?.by.name ?? 'Alguien'} escribió en la orden ${o.folio}:`,
        c?.note ?? '',
        filesParagraph(o, c?.attachments ?? [], ctx),
      ],
    };
  },
};

/**
 * The words for an event the catalogue does not know (an outbox entry written by an older
 * version). Every event in NOTICE_EVENTS has its own words; this only keeps a stray one readable.
 */
export function genericNotice(o: ServiceOrder): NoticeText {
  return {
    line: `La orden ${o.folio} está en «${status(o)}».`,
    subject: `Orden ${o.folio}: ${status(o)}`,
    paragraphs: [`La orden ${o.folio} está en «${status(o)}».`],
  };
}

/** The words of a notice, the same for every channel; an unknown event gets `genericNotice`. */
export function noticeMessage(event: string, order: ServiceOrder, ctx: NoticeContext = {}): NoticeText {
  const render =
    (NOTICE_MESSAGES as Partial<Record<string, (o: ServiceOrder, ctx: NoticeContext) => NoticeText>>)[event] ??
    genericNotice;
  const text = render(order, ctx);
  return { ...text, paragraphs: text.paragraphs.filter(Boolean) };
}

/** One message standing for several notices to one person: a lead line and one line per notice. */
export function digestMessage(items: readonly { event: string; order: ServiceOrder }[]): NoticeText {
  const lines = items.map(({ event, order }) => `• ${order.folio}: ${noticeMessage(event, order).line}`);
  const folios = [...new Set(items.map((i) => i.order.folio))];
  const lead = `Tienes ${items.length} avisos de ${folios.length} ${folios.length === 1 ? 'orden' : 'órdenes'} de servicio:`;
  return { line: lead, subject: `${items.length} avisos de la Mesa de Servicio`, paragraphs: [lead, lines.join('\n')] };
}
