import { z } from 'zod';
import { AppError } from '../services/errors';

const id = z.string().min(1).max(1024);
const optionalText = z.string().max(4096).optional();

/** A channel account (`from`, `recipient`, members): an id, and text fields if any. */
const account = z.looseObject({
  id,
  name: optionalText,
  aadObjectId: z.string().max(256).optional(),
  role: z.string().max(64).optional(),
});

const attachment = z.looseObject({
  contentType: z.string().min(1).max(256),
  contentUrl: z.string().max(8192).optional(),
  name: optionalText,
  thumbnailUrl: z.string().max(8192).optional(),
});

/**
 * The shape of an activity as the bot's code reads it. Fields the bot uses must have the
 * type it expects; fields it does not know are kept as they are (Teams adds new ones).
 * Checked at the edge so a malformed activity is answered 400 with its reason and never
 * reaches botbuilder or the bot, where it would surface as a 500 and a stack in the log.
 */
export const activityShape = z.looseObject({
  type: z.string().min(1).max(64),
  id: z.string().max(1024).optional(),
  serviceUrl: z.string().min(1).max(2048),
  channelId: z.string().min(1).max(64),
  from: account,
  recipient: account,
  conversation: z.looseObject({
    id,
    conversationType: z.string().max(64).optional(),
    tenantId: z.string().max(256).optional(),
    isGroup: z.boolean().optional(),
    name: optionalText,
  }),
  text: z.string().optional(),
  textFormat: z.string().max(64).optional(),
  locale: z.string().max(64).optional(),
  timestamp: z.string().max(64).optional(),
  localTimestamp: z.string().max(64).optional(),
  localTimezone: z.string().max(128).optional(),
  replyToId: z.string().max(1024).optional(),
  name: z.string().max(256).optional(),
  action: z.string().max(64).optional(),
  attachments: z.array(attachment).max(100).optional(),
  membersAdded: z.array(account).max(1000).optional(),
  membersRemoved: z.array(account).max(1000).optional(),
  entities: z
    .array(z.looseObject({ type: z.string().max(256) }))
    .max(100)
    .optional(),
  channelData: z.record(z.string(), z.unknown()).optional(),
  value: z.unknown().optional(),
});

export type ActivityShape = z.infer<typeof activityShape>;

const OBJECT_FIELDS = ['from', 'recipient', 'conversation'] as const;

/** JSON null stands for "absent" in Bot Framework payloads; drop it where the shape allows absence. */
function withoutNulls(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) if (value !== null) out[key] = value;
  for (const key of OBJECT_FIELDS) {
    const inner = out[key];
    if (inner && typeof inner === 'object' && !Array.isArray(inner)) {
      out[key] = Object.fromEntries(Object.entries(inner).filter(([k, v]) => v !== null || k === 'id'));
    }
  }
  return out;
}

/**
 * The activity in a request body, or AppError VALIDATION naming the first wrong field (its
 * path, e.g. `membersAdded.0.id`) with a Spanish message that says what was expected.
 */
export function parseActivity(body: unknown): ActivityShape {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new AppError('VALIDATION', 'activity is not a JSON object', 'La actividad debe ser un objeto JSON.', {
      field: '(body)',
    });
  }
  const parsed = activityShape.safeParse(withoutNulls(body as Record<string, unknown>), { reportInput: true });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.map(String).join('.') || '(body)';
  throw new AppError(
    'VALIDATION',
    `malformed activity: ${field}: ${issue.message}`,
    `La actividad no es válida: el campo «${field}» ${reasonOf(issue)}.`,
    { field },
  );
}

function reasonOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'es obligatorio' : `debe ser ${EXPECTED[issue.expected] ?? issue.expected}`;
    case 'too_small':
      return 'está vacío';
    case 'too_big':
      return 'es demasiado largo';
    default:
      return 'tiene un valor no permitido';
  }
}

const EXPECTED: Record<string, string> = {
  string: 'texto',
  object: 'un objeto',
  array: 'una lista',
  boolean: 'verdadero o falso',
  record: 'un objeto',
};
