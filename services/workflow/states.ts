/** Order states of process 4.2 (codes used in code; labels are what users read). */
export const ORDER_STATUSES = [
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
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const FINAL_STATUSES: readonly OrderStatus[] = ['closed', 'cancelled'];
export const OPEN_STATUSES: readonly OrderStatus[] = ORDER_STATUSES.filter((s) => !FINAL_STATUSES.includes(s));

export const STATUS_LABELS: Record<OrderStatus, string> = {
  reported: 'Reportada',
  desk: 'En atención de la Mesa',
  engineer_assigned: 'Turnada a ingeniero',
  diagnosis: 'En diagnóstico',
  provider: 'Turnada a proveedor',
  validation: 'Pendiente de validación',
  signature: 'Pendiente de firma del Juez',
  validated: 'Validada',
  resolved: 'Resuelta',
  closed: 'Cerrada',
  cancelled: 'Cancelada',
};

/** Roles of PROCESS.md. Roles come only from the directory, never from user input. */
export const ROLES = ['requester', 'analyst', 'engineer', 'provider', 'judge', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  requester: 'Servidor Público Solicitante',
  analyst: 'Analista del Escritorio de Soporte',
  engineer: 'Ingeniero de Servicios Informáticos en sitio',
  provider: 'Proveedor',
  judge: 'Juez Administrador',
  admin: 'Administrador del directorio',
};

/** Where an action came from; recorded on every history entry. */
export const CHANNELS = ['teams', 'email', 'phone', 'api', 'system'] as const;
export type Channel = (typeof CHANNELS)[number];
