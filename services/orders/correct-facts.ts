import { z } from 'zod';
import { AppError } from '../errors';
import type { DirectoryReader } from '../directory/directory-store';
import { directoryId } from '../directory/schema';
import type { AssetOrders } from '../assets/asset-orders';
import { repeatFailureOf } from '../assets/asset-orders';
import type { AssetReader } from '../assets/asset-store';
import { chooseCoverage } from '../assets/coverage';
import { inventoryNumberSchema, type Asset } from '../assets/schema';
import { EQUIPMENT_LABELS, EQUIPMENT_TYPES, Equipment, FieldChange, ServiceOrder } from './types';
import { applyTransition, PatchResult, TransitionContext, TransitionDeps } from './apply-transition';
import { longText, parseInput, reasonSchema, TransitionInput } from './inputs';

const Input = TransitionInput.extend({
  equipmentType: z.enum(EQUIPMENT_TYPES, 'tipo de equipo desconocido').optional(),
  location: z.string().trim().min(1, 'no puede estar vacío').max(200).optional(),
  inventoryNumber: inventoryNumberSchema.optional(),
  centreId: directoryId.optional(),
  /** Added below the description, signed and dated; the description itself is never rewritten. */
  addendum: longText.optional(),
  /** Optional here so that its absence is refused by the workflow, in the same words as any other action's. */
  reason: reasonSchema.optional(),
});
type Request = z.infer<typeof Input>;

export type CorrectionDeps = TransitionDeps & {
  directory: TransitionDeps['directory'] & Pick<DirectoryReader, 'centre' | 'contractById' | 'contractsFor'>;
  /** The equipment register; without it an inventory number is kept as text, unlinked. */
  assets?: Pick<AssetReader, 'byInventoryNumber'>;
  assetOrders?: AssetOrders;
};

const invalid = (field: string, log: string, user: string) =>
  new AppError('VALIDATION', log, `${field}: ${user}`, { field });

/**
 * An analyst, or the engineer the order is turned to, corrects what the order says about
 * the failed equipment — type, location, inventory number, centre — and may add to the
 * description (an addendum, never an overwrite), with a reason, in any open state. Each
 * change is on the history with its old and new value, in the same guarded write as the
 * change (a stale card version is a CONFLICT; someone not allowed is FORBIDDEN; nothing
 * is written either way). A new inventory number is looked up in the register as at
 * intake; whenever the equipment or the centre changes, the covering contract is chosen
 * again and the repeat-failure flag recomputed. An order already turned to a provider
 * keeps that provider: its hand-off is a fact, and the analyst re-turns it if needed.
 */
export async function correctFacts(deps: CorrectionDeps, input: z.input<typeof Input>): Promise<ServiceOrder> {
  const request = parseInput(Input, input);
  const { equipmentType, location, inventoryNumber, centreId, addendum } = request;
  if ([equipmentType, location, inventoryNumber, centreId, addendum].every((v) => v === undefined)) {
    throw invalid(
      'equipmentType',
      'correction without facts',
      'indique qué dato corrige (tipo de equipo, ubicación, inventario, centro o una adición a la descripción).',
    );
  }
  return applyTransition(deps, 'correct_facts', request, { reason: request.reason }, (ctx) =>
    corrections(deps, request, ctx),
  );
}

async function corrections(
  deps: CorrectionDeps,
  r: Request,
  { order, by, now }: TransitionContext,
): Promise<PatchResult> {
  const changes: FieldChange[] = [];
  const equipment: Equipment = { ...order.equipment };
  let asset: Asset | null = null;
  if (r.inventoryNumber !== undefined && r.inventoryNumber !== order.equipment.inventoryNumber) {
    changes.push({ field: 'inventoryNumber', from: order.equipment.inventoryNumber, to: r.inventoryNumber });
    equipment.inventoryNumber = r.inventoryNumber;
    delete equipment.register;
    if (deps.assets) {
      asset = await deps.assets.byInventoryNumber(r.inventoryNumber);
      equipment.register = asset ? 'linked' : 'unknown';
      if (asset) Object.assign(equipment, { type: asset.type, location: asset.location });
    }
  } else if (order.equipment.register === 'linked' && order.equipment.inventoryNumber && deps.assets) {
    asset = await deps.assets.byInventoryNumber(order.equipment.inventoryNumber);
  }
  if (r.equipmentType !== undefined) equipment.type = r.equipmentType;
  if (r.location !== undefined) equipment.location = r.location;
  if (equipment.type !== order.equipment.type)
    changes.push({
      field: 'equipmentType',
      from: EQUIPMENT_LABELS[order.equipment.type],
      to: EQUIPMENT_LABELS[equipment.type],
    });
  if (equipment.location !== order.equipment.location)
    changes.push({ field: 'location', from: order.equipment.location, to: equipment.location });

  const centreId = r.centreId ?? order.centreId;
  if (centreId !== order.centreId) {
    const centre = await deps.directory.centre(centreId);
    if (!centre) throw invalid('centreId', `centre ${centreId} not found`, `el centro «${centreId}» no existe.`);
    changes.push({ field: 'centreId', from: order.centreId, to: centreId });
  }
  const patch: PatchResult = { changes };
  if (r.addendum) {
    patch.addenda = [...(order.addenda ?? []), { text: r.addendum, by, at: now }];
    changes.push({ field: 'description', to: r.addendum });
  }
  if (changes.length === 0)
    throw invalid(
      'equipmentType',
      'correction changes nothing',
      'los datos indicados ya son los de la orden; no hay nada que corregir.',
    );

  const equipmentChanged = changes.some((c) => c.field !== 'description');
  if (equipmentChanged) {
    patch.equipment = equipment;
    patch.centreId = centreId;
    const coverage = await chooseCoverage(deps.directory, { centreId, type: equipment.type, asset });
    patch.coverage = coverage;
    if (coverage?.contractId !== order.coverage?.contractId)
      changes.push({ field: 'contractId', from: order.coverage?.contractId, to: coverage?.contractId });
    if (deps.assetOrders && equipment.inventoryNumber !== order.equipment.inventoryNumber) {
      const repeat =
        equipment.register === 'linked'
          ? await repeatFailureOf(deps.assetOrders, equipment.inventoryNumber!, order.createdAt, order._id)
          : undefined;
      // An order that no longer names the repeating asset must not keep its flag.
      patch.repeatFailure = repeat ?? null;
    }
  }
  return patch;
}
