import type { Priority } from '../orders/types';

/** How much of the centre's work the failure stops (impact) and how soon it hurts (urgency). */
export const LEVELS = ['high', 'medium', 'low'] as const;
export type Level = (typeof LEVELS)[number];

/**
 * Impact × urgency → priority: the usual 3×3 matrix of a service desk. Rows are impact,
 * columns urgency. Only both at their highest make an order critical; one level down on
 * either axis costs one step, and low on both, or low with medium, is low.
 */
export const PRIORITY_MATRIX: Readonly<Record<Level, Readonly<Record<Level, Priority>>>> = {
  high: { high: 'critical', medium: 'high', low: 'medium' },
  medium: { high: 'high', medium: 'medium', low: 'low' },
  low: { high: 'medium', medium: 'low', low: 'low' },
};

export function priorityOf(impact: Level, urgency: Level): Priority {
  return PRIORITY_MATRIX[impact][urgency];
}
