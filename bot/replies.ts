/** Every text the bot says (es-MX), in one place. */
export const REPLIES = {
  welcome:
    'Hola, soy la Mesa de Servicio de los Centros de Justicia Penal Federal. ' +
    'Escribe **ayuda** para ver lo que puedo hacer, o **estado OS-2026-000123** para consultar una orden.',
  help: [
    'Puedo ayudarte con lo siguiente:',
    '- **estado <folio>**: te digo en qué etapa está tu orden de servicio (por ejemplo, `estado OS-2026-000123`).',
    '- **ayuda**: muestra este mensaje.',
    'Pronto podrás reportar fallas de equipo desde este chat; mientras tanto, comunícate con la Mesa de Servicio.',
  ].join('\n'),
  badFolio: 'El folio debe tener la forma OS-2026-000123. Revísalo e inténtalo de nuevo.',
  notFound: (folio: string) => `No encontré la orden ${folio}. Revisa el folio o comunícate con la Mesa de Servicio.`,
  status: (folio: string, label: string) => `La orden ${folio} está en estado: **${label}**.`,
  unavailable: 'Por ahora no puedo consultar las órdenes. Inténtalo de nuevo en unos minutos.',
  turnError: 'Lo siento, ocurrió un error al procesar tu mensaje. Inténtalo de nuevo más tarde.',
} as const;
