import { priorityOf } from '../../../services/priority/matrix';
import { proposePriority } from '../../../services/priority/intake-rules';

/* The desk's 3×3 matrix, restated by hand: impact (rows) × urgency (columns). */
const MATRIX = [
  ['high', 'high', 'critical'],
  ['high', 'medium', 'high'],
  ['high', 'low', 'medium'],
  ['medium', 'high', 'high'],
  ['medium', 'medium', 'medium'],
  ['medium', 'low', 'low'],
  ['low', 'high', 'medium'],
  ['low', 'medium', 'low'],
  ['low', 'low', 'low'],
] as const;

describe('priority matrix', () => {
  it.each(MATRIX)('gives impact %s × urgency %s → %s', (impact, urgency, priority) => {
    expect(priorityOf(impact, urgency)).toBe(priority);
  });
});

describe('priority proposed at intake', () => {
  it.each([
    [
      'a courtroom recording system during a hearing',
      { type: 'audio_video', location: 'Sala de audiencias 3', hearingUnderWay: true },
      'critical',
    ],
    [
      'a courtroom recording system, hearing read from the text',
      { type: 'audio_video', location: 'Sala de Audiencias 1', description: 'No graba; audiencia en curso' },
      'critical',
    ],
    [
      'a courtroom recording system with no hearing said',
      { type: 'audio_video', location: 'Sala de audiencias 3' },
      'high',
    ],
    [
      'a courtroom computer during a hearing',
      { type: 'computer', location: 'sala de audiencia 2', hearingUnderWay: true },
      'critical',
    ],
    ['a courtroom printer', { type: 'printer', location: 'Sala de audiencias 3' }, 'medium'],
    ['a network failure in an office', { type: 'network', location: 'Oficialía de partes' }, 'high'],
    ['an office computer', { type: 'computer', location: 'Oficialía de partes' }, 'medium'],
    ['an office printer', { type: 'printer', location: 'Oficialía de partes' }, 'low'],
    ['something unclassified, nowhere said', { type: 'other' }, 'low'],
    [
      'the courtroom named only in the description',
      { type: 'audio_video', description: 'En la sala de juicio oral no hay audio' },
      'high',
    ],
  ] as const)('proposes for %s: %s', (_label, facts, priority) => {
    expect(proposePriority(facts).priority).toBe(priority);
  });

  it('says why, for the history and the card', () => {
    expect(proposePriority({ type: 'audio_video', location: 'Sala de audiencias 3', hearingUnderWay: true })).toEqual({
      priority: 'critical',
      impact: 'high',
      urgency: 'high',
      rule: 'courtroom-hearing-equipment',
      because: 'equipo de sala de audiencias, con audiencia en curso',
    });
  });
});
