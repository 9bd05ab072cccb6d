import type { Equipment } from '../orders/types';
import type { AssetReader } from './asset-store';
import { inventoryNumbersIn } from './recognise';
import { Asset, inventoryKey } from './schema';

export interface LinkDeps {
  assets?: Pick<AssetReader, 'byInventoryNumber'>;
  /** INVENTORY_PATTERN; the example register's format when absent. */
  inventoryPattern?: RegExp;
}

/**
 * The equipment of a report as the register knows it. The inventory number is the one
 * given, or else the first one recognised in the description. A registered number links
 * the asset: its type and location are the register's, which knows them better than a
 * person describing a failure. A number the register does not hold is kept as written
 * (upper-cased) and flagged `unknown` for the analyst to correct — never dropped.
 * Without a register, the equipment is kept as given.
 */
export async function linkEquipment(
  deps: LinkDeps,
  equipment: Equipment,
  text: string,
): Promise<{ equipment: Equipment; asset: Asset | null }> {
  const given = equipment.inventoryNumber ? inventoryKey(equipment.inventoryNumber) : undefined;
  const number = given ?? inventoryNumbersIn(text, deps.inventoryPattern)[0];
  if (!number) return { equipment, asset: null };
  if (!deps.assets) return { equipment: { ...equipment, inventoryNumber: number }, asset: null };
  const asset = await deps.assets.byInventoryNumber(number);
  if (!asset) return { equipment: { ...equipment, inventoryNumber: number, register: 'unknown' }, asset: null };
  return {
    equipment: {
      type: asset.type,
      inventoryNumber: asset.inventoryNumber,
      location: asset.location,
      register: 'linked',
    },
    asset,
  };
}
