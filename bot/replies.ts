import { REOPEN_BUSINESS_DAYS } from '../services/notifications/messages';

/** Every text the bot says (es-MX), in one place. */
export const REPLIES = {
  welcome:
    'Hola, soy la Mesa de Servicio de los Centros de Justicia Penal Federal. ' +
    'Cuéntame qué falla (por ejemplo, «la impresora de la sala 3 no imprime») o escribe **reportar**. ' +
    'Escribe **ayuda** para ver lo que puedo hacer, o **estado OS-2026-000123** para consultar una orden.',
  help: [
    'Puedo ayudarte con lo siguiente:',
    '- **reportar**: reporta una falla de equipo; también puedes describirla directamente (por ejemplo, «la impresora de la sala 3 no imprime»).',
    '- **mis reportes**: tus órdenes de servicio abiertas.',
    '- **estado <folio>**: te digo en qué etapa está tu orden de servicio (por ejemplo, `estado OS-2026-000123`).',
    '- **agregar <folio> <texto>**: agrega información a tu orden abierta (por ejemplo, `agregar OS-2026-000123 ya reinicié el equipo`).',
    '- **cancelar**: abandona el reporte que estás capturando.',
    '- **ayuda**: muestra este mensaje.',
  ].join('\n'),
  staffHelp: {
    analyst:
      '- **pendientes**: órdenes nuevas por atender.\n- **prioridad <folio> <prioridad> <motivo>**: cambia la prioridad de una orden.\n- **corregir <folio> <campo> <valor> <motivo>**: corrige equipo, ubicación, inventario, centro o descripción.\n- **reporte mes** o **reporte AAAA-MM**: cifras de nivel de servicio del periodo.\n- **reporte telefónico**: registra un reporte a nombre de otra persona.',
    engineer:
      '- **mis asignadas**: órdenes que te han turnado.\n- **corregir <folio> <campo> <valor> <motivo>**: corrige los datos de una orden que te turnaron.',
  },
  badFolio: 'El folio debe tener la forma OS-2026-000123. Revísalo e inténtalo de nuevo.',
  notFound: (folio: string) => `No encontré la orden ${folio}. Revisa el folio o comunícate con la Mesa de Servicio.`,
  status: (folio: string, label: string) => `La orden ${folio} está en estado: **${label}**.`,
  unavailable: 'Por ahora no puedo consultar las órdenes. Inténtalo de nuevo en unos minutos.',
  turnError: 'Lo siento, ocurrió un error al procesar tu mensaje. Inténtalo de nuevo más tarde.',
  emptyText: 'No recibí texto. Escribe qué falla o **ayuda** para ver las opciones.',
  tooLong: (max: number) =>
    `Tu mensaje es demasiado largo (máximo ${max} caracteres). Resume la falla en pocas líneas, por favor.`,
  attachmentsIgnored:
    'Por ahora no puedo recibir archivos ni imágenes en este chat; describe la falla con texto, por favor.',
  wrongTenant:
    'Esta Mesa de Servicio solo atiende a personal de los Centros de Justicia Penal Federal. No puedo procesar tu mensaje.',
  notStaff: 'Esta opción es solo para el personal de la Mesa de Servicio.',
  orderCommand: {
    priorityUsage:
      'Escribe **prioridad <folio> <crítica|alta|media|baja> <motivo>** o **prioridad <folio> impacto <alto|medio|bajo> urgencia <alta|media|baja> <motivo>**; por ejemplo: `prioridad OS-2026-000123 alta audiencia en curso`.',
    correctionUsage:
      'Escribe **corregir <folio> <campo> <valor> <motivo>**, con campo equipo, ubicación, inventario, centro o descripción (un valor de varias palabras va entre comillas); por ejemplo: `corregir OS-2026-000123 ubicación "Sala 5" el equipo está en la sala 5`.',
    refused: (folio: string, why: string) => `No se hizo ningún cambio en la orden ${folio}. ${why}`,
    priorityDone: (folio: string, label: string) => `La orden ${folio} tiene ahora prioridad **${label}**.`,
    correctionDone: (folio: string) => `Se corrigieron los datos de la orden ${folio}.`,
  },
  notAnalyst: 'El reporte de nivel de servicio es solo para los analistas de la Mesa de Servicio.',
  badMonth: 'Indica el mes como AAAA-MM (por ejemplo, `reporte 2026-03`) o escribe **reporte mes**.',
  notRegistered:
    'No te encontré en el directorio de la Mesa de Servicio; puedes reportar fallas y la Mesa confirmará tus datos.',
  myOrdersEmpty: 'No tienes órdenes de servicio abiertas.',
  myOrders: (n: number) => `Tienes ${n} ${n === 1 ? 'orden abierta' : 'órdenes abiertas'}:`,
  queueEmpty: 'No hay órdenes nuevas por atender.',
  queue: (n: number) => `Hay ${n} ${n === 1 ? 'orden nueva' : 'órdenes nuevas'} por atender:`,
  assignedEmpty: 'No tienes órdenes asignadas pendientes.',
  assigned: (n: number) => `Tienes ${n} ${n === 1 ? 'orden asignada' : 'órdenes asignadas'}:`,
  more: (n: number) => `… y ${n} más. Consulta una con **estado <folio>**.`,
  /** Closing line of a Teams digest too long for one message, with the list that shows the rest. */
  digestMore: (n: number, role: string) =>
    `… y ${n} ${n === 1 ? 'aviso' : 'avisos'} más. Consulta una orden con **estado <folio>**${
      role === 'analyst'
        ? ' o escribe **pendientes**'
        : role === 'engineer'
          ? ' o escribe **mis asignadas**'
          : ' o escribe **mis reportes**'
    }.`,
  intake: {
    start: 'Vamos a registrar tu reporte. Puedes escribir **cancelar** en cualquier momento.',
    startPhone: 'Vamos a registrar un reporte telefónico. Puedes escribir **cancelar** en cualquier momento.',
    unknownUser: 'No te encontré en el directorio; registraré tu reporte y la Mesa de Servicio confirmará tus datos.',
    askRequester:
      '¿Quién reporta? Escribe su correo electrónico o su identificador del directorio; si no está en el directorio, escribe su nombre completo.',
    requesterNotFound:
      'No encontré a esa persona en el directorio. Escribe su correo electrónico institucional o su identificador, o su nombre completo si no está en el directorio.',
    unknownCaller: (name: string) =>
      `**${name}** no está en el directorio: registraré el reporte a su nombre, marcado para que la Mesa confirme sus datos.`,
    askCallerEmail:
      '¿Tiene un correo electrónico donde avisarle del avance? Escríbelo, o responde **no tiene** (se le llamará por teléfono).',
    badCallerEmail: 'Ese correo no parece válido. Escríbelo completo, o responde **no tiene**.',
    askCallerContact: '¿A qué teléfono o extensión se le puede llamar? Es necesario para darle seguimiento.',
    badCallerContact:
      'Escribe una extensión (solo números, hasta 6) o un teléfono (de 7 a 20 caracteres: números, espacios, +, -, paréntesis).',
    requesterFound: (name: string) => `Reporte a nombre de **${name}**.`,
    askEmail: '¿Cuál es tu correo electrónico institucional? Lo necesitamos para avisarte del avance.',
    badEmail: 'Ese correo no parece válido. Escríbelo completo, por ejemplo nombre.apellido@cjf.gob.mx.',
    askEquipment: '¿Qué equipo falla?',
    retryEquipment: 'Elige una de las opciones: cómputo, impresora, grabación/video, red, telefonía u otro.',
    askCentre: '¿En qué centro está el equipo?',
    retryCentre: 'Elige uno de los centros de la lista.',
    askLocation: '¿En qué sala o área está el equipo? (por ejemplo, «sala 3» o «oficialía de partes»)',
    badLocation: 'Indica la sala o el área en pocas palabras (de 2 a 200 caracteres).',
    chooseInventory: (place: string) =>
      `¿Cuál de estos equipos registrados en «${place}» es el que falla? Elige uno, o escribe su número de inventario.`,
    noneOfThese: 'Ninguno de estos',
    askInventory: '¿Conoces el número de inventario del equipo? Escríbelo, o responde **no sé**.',
    badInventory: 'El número de inventario debe tener de 1 a 50 caracteres, o responde **no sé**.',
    askDescription: 'Describe brevemente la falla: qué pasa y desde cuándo.',
    badDescription: 'Describe la falla con al menos 3 caracteres (máximo 2000).',
    askExtension: '¿A qué extensión o teléfono podemos llamarte? Escribe el número, o responde **ninguna**.',
    badExtension:
      'Escribe una extensión (solo números, hasta 6) o un teléfono (de 7 a 20 caracteres: números, espacios, +, -, paréntesis), o responde **ninguna**.',
    summary: 'Revisa los datos de tu reporte. ¿Los confirmo?',
    retryConfirm:
      'Responde **confirmar** para registrar el reporte, o **corregir** seguido del dato (equipo, centro, ubicación, inventario, descripción, extensión).',
    created: (folio: string) =>
      `Listo. Tu reporte quedó registrado con el folio **${folio}**. Te avisaré aquí cada vez que avance.`,
    createdPhone: (folio: string, name: string) =>
      `Listo. El reporte de ${name} quedó registrado con el folio **${folio}**.`,
    alreadyCreated: (folio: string) =>
      `Ese reporte ya quedó registrado con el folio **${folio}**; no se registró otro.`,
    cancelled: 'Cancelé el reporte; no se registró nada. Cuando quieras, vuelve a escribirme.',
    nothingToCancel: 'No hay ningún reporte en captura. Escribe **ayuda** para ver las opciones.',
    failed: (reason: string) => `No pude registrar el reporte: ${reason}`,
    unknownValue: 'No lo sé',
    none: 'Ninguna',
    startRelated: (folio: string) =>
      `La orden **${folio}** se cerró hace más de ${REOPEN_BUSINESS_DAYS} días hábiles y ya no puede reabrirse, así que registraremos un reporte nuevo relacionado con ella, con el mismo equipo y lugar. Puedes escribir **cancelar** en cualquier momento.`,
    relatedNotFound: 'No encontré esa orden entre tus reportes. Escribe **mis reportes** para verlos.',
  },
  files: {
    received: (r: { stored: Array<{ filename: string }>; refused: Array<{ name: string; why: string }> }) =>
      [
        r.stored.length
          ? `Recibí ${r.stored.length === 1 ? 'el archivo' : `${r.stored.length} archivos`}: ${r.stored.map((f) => f.filename).join(', ')}.`
          : '',
        r.refused.length ? `No guardé: ${r.refused.map((f) => `${f.name} (${f.why})`).join('; ')}.` : '',
      ]
        .filter(Boolean)
        .join(' '),
    onlyFiles: 'Archivos adjuntos',
    notAFile: 'Solo puedo recibir fotos y archivos; lo demás que adjuntaste no se guardó.',
  },
  followUp: {
    lead: 'Tienes órdenes abiertas. ¿Tu mensaje es sobre alguna de ellas?',
    question: (n: number) =>
      n === 1
        ? '¿Agrego este mensaje a tu orden abierta, o es un reporte nuevo?'
        : '¿A cuál de tus órdenes abiertas agrego este mensaje, o es un reporte nuevo?',
    added: (folio: string, engineer?: string) =>
      `Agregué tu mensaje a la orden **${folio}**; ${engineer ? `${engineer}, el ingeniero que la atiende,` : 'la Mesa de Servicio'} ya lo puede ver.`,
    expired: 'Ya no tengo ese mensaje pendiente. Escríbelo de nuevo, por favor.',
    notOffered: 'Esa tarjeta era para otro mensaje. Escribe de nuevo lo que quieres agregar.',
    badAdd:
      'Escribe **agregar** seguido del folio y tu mensaje, por ejemplo: `agregar OS-2026-000123 ya reinicié el equipo`.',
  },
  card: {
    error: 'No se pudo realizar la acción',
    badPayload:
      'La tarjeta no trae los datos necesarios (orden, acción y versión). Vuelve a consultar la orden con **estado <folio>**.',
    unknownPerson: 'No te encontré en el directorio de la Mesa de Servicio, así que no puedes actuar sobre órdenes.',
    done: (label: string) => `Hecho: ${label}.`,
    checkAgain: 'Revisa la orden como está ahora y, si aún corresponde, vuelve a intentarlo.',
    reopenTooLate: (folio: string) =>
      `La orden ${folio} se cerró hace más de ${REOPEN_BUSINESS_DAYS} días hábiles y ya no puede reabrirse. Si la falla volvió, usa «Crear reporte relacionado»: registraremos un reporte nuevo ligado a esta orden.`,
  },
} as const;

/** Spanish label of an equipment type. */
