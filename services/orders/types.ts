import type { ObjectId } from 'mongodb';
import type { Action, Channel, OrderStatus, Role } from '../workflow';

export const EQUIPMENT_TYPES = ['computer', 'printer', 'audio_video', 'network', 'telephony', 'other'] as const;
export type EquipmentType = (typeof EQUIPMENT_TYPES)[number];
export const EQUIPMENT_LABELS: Record<EquipmentType, string> = {
  computer: 'Equipo de cómputo',
  printer: 'Impresora',
  audio_video: 'Grabación de audiencias / video',
  network: 'Red',
  telephony: 'Telefonía',
  other: 'Otro',
};

export const PRIORITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];
export const PRIORITY_LABELS: Record<Priority, string> = {
  critical: 'Crítica',
  high: 'Alta',
  medium: 'Media',
  low: 'Baja',
};

/** A person as recorded on an order: a snapshot, so history reads right after directory edits. */
export interface PersonSnapshot {
  personId?: string;
  name: string;
  email?: string;
  aadObjectId?: string;
  /** Set when the person was not found in the directory: name and email are as given. */
  unverified?: true;
}

export interface Equipment {
  type: EquipmentType;
  inventoryNumber?: string;
  location?: string;
}

export interface AttachmentMeta {
  /** The GridFS id (bucket `attachments`); absent when the file was not stored. */
  fileId?: string;
  filename: string;
  contentType: string;
  size: number;
  /** Why a received file was not stored: over the size limit, or beyond the count limit. */
  notStored?: 'too_large' | 'too_many';
}

/** One append-only history line: who did what, when, from which channel. */
export interface HistoryEntry {
  at: Date;
  action: Action | 'report' | 'comment' | 'notification';
  by: PersonSnapshot;
  role?: Role;
  channel: Channel;
  from?: OrderStatus;
  to?: OrderStatus;
  note?: string;
  /** What the entry came from (a mail's duplicate key), so a retried source is appended once. */
  sourceId?: string;
  /** Files that came with the entry's source (a mailed reply), stored or recorded as not stored. */
  attachments?: AttachmentMeta[];
  /** For 'notification' entries: the outcome of a notice. */
  notification?: { id: string; recipient: string; channel?: string; outcome: string; detail?: string };
}

/** Notices owed by a state change, written in the same update as the change (see outbox). */
export interface PendingNotice {
  id: string;
  event: string;
  recipient: { personId?: string; email?: string; role: Role | 'provider_contact' };
  createdAt: Date;
}

export interface ServiceOrder {
  _id: ObjectId;
  folio: string;
  status: OrderStatus;
  version: number;
  requester: PersonSnapshot;
  centreId: string;
  channel: 'teams' | 'email' | 'phone';
  equipment: Equipment;
  description: string;
  contact?: { extension?: string; phone?: string };
  priority: Priority;
  attachments: AttachmentMeta[];
  analyst?: PersonSnapshot;
  engineer?: PersonSnapshot;
  provider?: {
    providerId: string;
    contractId: string;
    name: string;
    /** Contract deadlines set when the order was turned to the provider (told to the provider); `zone` is the centre's. */
    deadlines?: { attendBy: Date; resolveBy: Date; zone: string };
  };
  /** First time each activity happened; later repeats (rework) do not move these. */
  timestamps: Partial<Record<'reportedAt' | 'takenAt' | 'engineerAssignedAt' | 'acceptedAt' | 'providerAt' | 'providerAttendedAt' | 'confirmedAt' | 'signedAt' | 'resolvedAt' | 'closedAt' | 'cancelledAt', Date>>;
  resolution?: { solution?: string; documentation?: string; by: PersonSnapshot; at: Date };
  validation?: { confirmedBy: PersonSnapshot; at: Date; channel: Channel };
  signature?: { judge: PersonSnapshot; at: Date; digest: string };
  history: HistoryEntry[];
  /** Notices not yet handed to the notifications collection. */
  outbox: PendingNotice[];
  /**
   * Set by every write that queues notices, cleared by the relay once the outbox is empty:
   * the relay finds orders with work through an index instead of scanning every order.
   */
  outboxPending?: true;
  /** SLA thresholds already announced (`<clock>:75`, `<clock>:100`); see services/sla/sla-monitor.ts. */
  slaMarks?: string[];
  /** Validation reminders already queued (`<version>:<n>`); see services/notifications/validation-reminder.ts. */
  reminderMarks?: string[];
  /** The Cédula de nivel de servicio, once issued after closure; see services/cedula. */
  cedula?: { code: string; issuedAt: Date };
  createdAt: Date;
  updatedAt: Date;
}
