import { z } from 'zod';
import type { AssetOrders } from '../assets/asset-orders';
import { repeatFailureOf } from '../assets/asset-orders';
import { chooseCoverage, CoverageDirectory } from '../assets/coverage';
import { linkEquipment, LinkDeps } from '../assets/link-equipment';
import { LEVELS, priorityOf } from '../priority/matrix';
import { proposePriority } from '../priority/intake-rules';
import { Equipment, PRIORITIES, ServiceOrder } from './types';

/** What a reporter may say about urgency: a priority outright (an analyst on the phone), or impact and urgency, or that a hearing is under way. */
export const PriorityHints = {
  priority: z.enum(PRIORITIES).optional(),
  impact: z.enum(LEVELS).optional(),
  urgency: z.enum(LEVELS).optional(),
  hearingUnderWay: z.boolean().optional(),
};

export interface IntakeFactsDeps extends LinkDeps {
  /** Orders by asset, for the repeat-failure flag; without it nothing is flagged. */
  assetOrders?: AssetOrders;
  /** Contracts, for the covering contract; without them the order has none chosen. */
  directory: Partial<CoverageDirectory>;
}

export interface ReportedFacts {
  equipment: Equipment;
  description: string;
  centreId: string;
  priority?: (typeof PRIORITIES)[number];
  impact?: (typeof LEVELS)[number];
  urgency?: (typeof LEVELS)[number];
  hearingUnderWay?: boolean;
}

export type IntakeFacts = Pick<ServiceOrder, 'equipment' | 'priority' | 'priorityBasis' | 'coverage' | 'repeatFailure'>;

/**
 * What the desk knows of a report before anyone reads it: the equipment linked to the
 * register (by the inventory number given or written in the text), the covering contract
 * (the asset's, or the one contract for the centre and type), the repeat-failure flag, and
 * the priority — the reporter's when they gave one (priority, or impact and urgency),
 * otherwise the intake rule's proposal from type, place and whether a hearing is under way.
 */
export async function intakeFacts(deps: IntakeFactsDeps, input: ReportedFacts, now: Date): Promise<IntakeFacts> {
  const { equipment, asset } = await linkEquipment(deps, input.equipment, input.description);
  const facts: IntakeFacts = { equipment, ...choosePriority(input, equipment) };
  if (deps.directory.contractById && deps.directory.contractsFor) {
    facts.coverage = await chooseCoverage(deps.directory as CoverageDirectory, {
      centreId: input.centreId,
      type: equipment.type,
      asset,
    });
  }
  if (asset && deps.assetOrders) {
    const repeat = await repeatFailureOf(deps.assetOrders, asset.inventoryNumber, now);
    if (repeat) facts.repeatFailure = repeat;
  }
  return facts;
}

function choosePriority(input: ReportedFacts, equipment: Equipment): Pick<ServiceOrder, 'priority' | 'priorityBasis'> {
  if (input.priority) return { priority: input.priority, priorityBasis: { source: 'reporter' } };
  if (input.impact && input.urgency) {
    return {
      priority: priorityOf(input.impact, input.urgency),
      priorityBasis: { source: 'reporter', impact: input.impact, urgency: input.urgency },
    };
  }
  const proposed = proposePriority({
    type: equipment.type,
    location: equipment.location,
    description: input.description,
    hearingUnderWay: input.hearingUnderWay,
  });
  return {
    priority: proposed.priority,
    priorityBasis: {
      source: 'intake_rule',
      impact: proposed.impact,
      urgency: proposed.urgency,
      because: proposed.because,
    },
  };
}
