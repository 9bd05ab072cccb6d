import type { ObjectId } from 'mongodb';
import type { Action, Channel, OrderStatus, Role } from '../workflow';
import type { SlaSummary } from '../reports/order-figures';

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
  /**
   * How the inventory number relates to the equipment register: `linked` when it names a
   * registered asset (type, centre and location then come from the register), `unknown`
   * when the register has no such number — kept as given and flagged for the analyst,
   * never dropped. Absent when there is no inventory number or no register.
   */
  register?: 'linked' | 'unknown';
}

/** The contract covering the order's equipment, re-chosen whenever the facts it depends on change. */
export interface Coverage {
  contractId: string;
  providerId: string;
  /** `asset`: the register names the contract; `directory`: the one contract for the centre and type. */
  source: 'asset' | 'directory';
}

/** Where the order's priority came from: the intake rule, the reporter, or an analyst. */
export interface PriorityBasis {
  source: 'intake_rule' | 'reporter' | 'analyst';
  impact?: 'high' | 'medium' | 'low';
  urgency?: 'high' | 'medium' | 'low';
  /** For `intake_rule`, the reason in words (e.g. «equipo de sala de audiencias, con audiencia en curso»). */
  because?: string;
}

/** Text added to the description by a correction; the description itself is never rewritten. */
export interface DescriptionAddendum {
  text: string;
  by: PersonSnapshot;
  at: Date;
}

/** Set when the order's asset failed repeatedly: the card shows it to the analyst. */
export interface RepeatFailure {
  /** Orders of the same asset reported within the window, this one included. */
  count: number;
  windowDays: number;
  /** Folios of the earlier orders in the window. */
  earlier: string[];
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

/** One field changed by a correction or a priority change, as the history shows it. */
export interface FieldChange {
  field: string;
  from?: string;
  to?: string;
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
  /** What a same-state action changed (priority, corrected facts): each field, before and after. */
  changes?: FieldChange[];
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
  /**
   * The folio of an earlier order whose failure came back after it could no longer be
   * reopened: this order is a new report linked to it, and says so wherever it is shown.
   */
  relatedTo?: string;
  contact?: { extension?: string; phone?: string; email?: string };
  priority: Priority;
  priorityBasis?: PriorityBasis;
  /** `null`: no contract covers the equipment as the order now describes it. */
  coverage?: Coverage | null;
  addenda?: DescriptionAddendum[];
  /** `null` after a correction made the order no longer name a repeating asset. */
  repeatFailure?: RepeatFailure | null;
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
  timestamps: Partial<
    Record<
      | 'reportedAt'
      | 'takenAt'
      | 'engineerAssignedAt'
      | 'acceptedAt'
      | 'providerAt'
      | 'providerAttendedAt'
      | 'confirmedAt'
      | 'signedAt'
      | 'resolvedAt'
      | 'closedAt'
      | 'cancelledAt',
      Date
    >
  >;
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
  cedula?: {
    code: string;
    issuedAt: Date;
    /** Set when the requester reopened the order after it: the Cédula stays, for the closure it certified. */
    supersededAt?: Date;
  };
  /** The SLA report's figures, stored with the closure or cancellation; see services/reports/order-figures.ts. */
  slaSummary?: SlaSummary | null;
  /** Folded words the order is found by in Mesa's search (services/orders/search-tokens.ts); never shown. */
  searchTokens?: string[];
  createdAt: Date;
  updatedAt: Date;
}
