import { z } from 'zod';
import { AppError } from '../errors';
import type { DirectoryReader } from '../directory/directory-store';
import { directoryId } from '../directory/schema';
import type { PersonSnapshot, ServiceOrder } from './types';
import { applyTransition, TransitionDeps } from './apply-transition';
import { parseInput, snapshotOf, TransitionInput } from './inputs';

const Input = TransitionInput.extend({ engineerId: directoryId });

export type EngineerDeps = TransitionDeps & {
  directory: TransitionDeps['directory'] & Pick<DirectoryReader, 'personById'>;
};

/**
 * The engineer an order may be turned to: a person of the directory who holds the engineer
 * role and serves the order's centre (VALIDATION otherwise, naming `engineerId`), so an
 * order never sits with someone who cannot go to the site.
 */
export async function requireEngineer(
  directory: Pick<DirectoryReader, 'personById'>,
  engineerId: string,
  centreId: string,
): Promise<PersonSnapshot> {
  const person = await directory.personById(engineerId);
  if (!person || !person.roles.includes('engineer')) {
    throw new AppError(
      'VALIDATION',
      `engineerId ${engineerId} is not an engineer`,
      `engineerId: «${engineerId}» no es un ingeniero del directorio.`,
      { field: 'engineerId' },
    );
  }
  if (!person.centreIds.includes(centreId)) {
    throw new AppError(
      'VALIDATION',
      `engineer ${engineerId} does not serve ${centreId}`,
      `engineerId: ${person.name} no atiende el centro de esta orden.`,
      { field: 'engineerId' },
    );
  }
  return snapshotOf(person);
}

/** Activity 3: an analyst turns the order to an on-site engineer (`reported`|`desk` → `engineer_assigned`). */
export async function assignEngineer(deps: EngineerDeps, input: z.input<typeof Input>): Promise<ServiceOrder> {
  const request = parseInput(Input, input);
  return applyTransition(deps, 'assign_engineer', request, { engineerId: request.engineerId }, async ({ order }) => ({
    engineer: await requireEngineer(deps.directory, request.engineerId, order.centreId),
  }));
}
