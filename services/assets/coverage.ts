import type { DirectoryReader } from '../directory/directory-store';
import type { Coverage, EquipmentType } from '../orders/types';
import type { Asset } from './schema';

export type CoverageDirectory = Pick<DirectoryReader, 'contractById' | 'contractsFor'>;

/**
 * The contract covering equipment of `type` in `centreId`: the one the register names for
 * the asset when it still covers that centre and type; otherwise the directory's contract
 * for the centre and type when there is exactly one. `null` when none (or several, and the
 * engineer must choose) — never a guess, because the contract decides whom the order is
 * turned to and which deadlines run.
 */
export async function chooseCoverage(
  directory: CoverageDirectory,
  facts: { centreId: string; type: EquipmentType; asset?: Pick<Asset, 'contractId'> | null },
): Promise<Coverage | null> {
  if (facts.asset?.contractId) {
    const contract = await directory.contractById(facts.asset.contractId);
    if (contract && contract.centreIds.includes(facts.centreId) && contract.equipmentTypes.includes(facts.type)) {
      return { contractId: contract.id, providerId: contract.providerId, source: 'asset' };
    }
  }
  const candidates = await directory.contractsFor(facts.centreId, facts.type);
  if (candidates.length !== 1) return null;
  return { contractId: candidates[0]!.id, providerId: candidates[0]!.providerId, source: 'directory' };
}
