import type { EquipmentType, Priority } from '../orders/types';
import { Level, priorityOf } from './matrix';

/** What is known of a failure when it is reported. */
export interface IntakeFacts {
  type: EquipmentType;
  location?: string;
  description?: string;
  /** Said by the reporter (a phone call, a dialog answer); otherwise read from the description. */
  hearingUnderWay?: boolean;
}

/** One row of the impact table: the first row whose test matches gives the impact. */
export interface ImpactRule {
  readonly id: string;
  readonly types: readonly EquipmentType[] | 'any';
  readonly courtroom: boolean | 'any';
  readonly impact: Level;
  /** Why, as the history and the card say it. */
  readonly because: string;
}

/**
 * The impact of a failure by equipment type and place. A courtroom (sala de audiencias)
 * is where a failure stops a hearing, so what a hearing needs there — recording, audio and
 * video, the judge's and parties' computers, the network — is high impact; the same
 * equipment in an office stops one person. The network stops everyone wherever it fails.
 * Printers and what is not classified are low until an analyst says otherwise.
 */
export const IMPACT_RULES: readonly ImpactRule[] = [
  {
    id: 'courtroom-hearing-equipment',
    types: ['audio_video', 'computer', 'network', 'telephony'],
    courtroom: true,
    impact: 'high',
    because: 'equipo de sala de audiencias',
  },
  { id: 'network', types: ['network'], courtroom: 'any', impact: 'high', because: 'falla de red' },
  {
    id: 'courtroom-other',
    types: 'any',
    courtroom: true,
    impact: 'medium',
    because: 'otro equipo de sala de audiencias',
  },
  {
    id: 'office-work-equipment',
    types: ['audio_video', 'computer', 'telephony'],
    courtroom: false,
    impact: 'medium',
    because: 'equipo de trabajo de oficina',
  },
  { id: 'default', types: 'any', courtroom: 'any', impact: 'low', because: 'equipo sin impacto en audiencias' },
];

/** «Sala de audiencias 3», «sala de audiencia», «sala de juicio oral». */
export const COURTROOM_PATTERN = /\bsala\s+(de\s+)?(audiencias?|juicios?(\s+orales?)?|oral(es)?)\b/i;

/** Phrases that say a hearing is going on right now. */
export const HEARING_PATTERN =
  /\b(audiencia\s+(en\s+curso|en\s+proceso|iniciada|ya\s+inici[oó])|en\s+plena\s+audiencia|durante\s+la\s+audiencia|estamos\s+en\s+audiencia|hay\s+audiencia|audiencia\s+en\s+este\s+momento)\b/i;

export interface ProposedPriority {
  priority: Priority;
  impact: Level;
  urgency: Level;
  /** Which impact rule matched, and the reason in words. */
  rule: string;
  because: string;
}

const normalise = (text: string) => text.normalize('NFD').replace(/[\u0300-\u036f]/g, '');

/**
 * The priority proposed at intake from what is known: impact from the first matching
 * IMPACT_RULES row (type and whether the place is a courtroom); urgency high when a
 * hearing is under way (said, or read in the description), medium otherwise. So a
 * courtroom's recording equipment with a hearing under way is critical, and without one
 * high. An analyst confirms or changes it (set_priority) with a reason.
 */
export function proposePriority(facts: IntakeFacts): ProposedPriority {
  const place = normalise(`${facts.location ?? ''}`);
  const courtroom =
    COURTROOM_PATTERN.test(place) || (!facts.location && COURTROOM_PATTERN.test(normalise(facts.description ?? '')));
  const rule = IMPACT_RULES.find(
    (r) => (r.types === 'any' || r.types.includes(facts.type)) && (r.courtroom === 'any' || r.courtroom === courtroom),
  )!;
  const hearing = facts.hearingUnderWay ?? HEARING_PATTERN.test(normalise(facts.description ?? ''));
  const urgency: Level = hearing ? 'high' : 'medium';
  const because = hearing ? `${rule.because}, con audiencia en curso` : rule.because;
  return { priority: priorityOf(rule.impact, urgency), impact: rule.impact, urgency, rule: rule.id, because };
}
