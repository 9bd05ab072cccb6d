import { z } from 'zod';
import { AppError } from '../errors';
import type { DirectoryReader } from '../directory/directory-store';
import { directoryId } from '../directory/schema';
import type { ServiceOrder } from './types';
import { applyTransition, TransitionDeps } from './apply-transition';
import { parseInput, TransitionInput } from './inputs';
import { BusinessCalendar, calendarForCentre, deadlineIn } from '../sla/calendar';

const Input = TransitionInput.extend({ contractId: directoryId, providerId: directoryId.optional() });

export type ProviderDeps = TransitionDeps & {
  /** `centre` gives the deadlines the centre's business calendar; without it, weekdays 09:00–18:00 in `timeZone`. */
  directory: TransitionDeps['directory'] &
    Pick<DirectoryReader, 'contractById'> &
    Partial<Pick<DirectoryReader, 'centre'>>;
  /** TZ_DEFAULT, for a centre the directory does not know. */
  timeZone: string;
};

const H = 3600_000;
const DEFAULT_DAY = { start: '09:00', end: '18:00' };
const defaultCalendar = (zone: string): BusinessCalendar => ({
  zone,
  hours: { mon: DEFAULT_DAY, tue: DEFAULT_DAY, wed: DEFAULT_DAY, thu: DEFAULT_DAY, fri: DEFAULT_DAY },
  closedDays: [],
});

const refuse = (field: string, log: string, user: string) =>
  new AppError('VALIDATION', log, `${field}: ${user}`, { field });

/**
 * Activity 4 → 5: the assigned engineer turns the order to a provider under a contract
 * (`diagnosis` → `provider`). The contract must exist, belong to the provider named (when
 * one is named), cover the order's centre and its equipment type — otherwise the contract
 * SLA clock would start on a contract that does not bind the provider. The provider's
 * contacts are told by email, with the contract deadlines for the order's priority (in
 * the contract's basis: business hours of the centre or calendar hours), stored on the order.
 */
export async function turnToProvider(deps: ProviderDeps, input: z.input<typeof Input>): Promise<ServiceOrder> {
  const request = parseInput(Input, input);
  return applyTransition(
    deps,
    'turn_to_provider',
    request,
    { contractId: request.contractId },
    async ({ order, now }) => {
      const contract = await deps.directory.contractById(request.contractId);
      if (!contract)
        throw refuse(
          'contractId',
          `contract ${request.contractId} not found`,
          `el contrato «${request.contractId}» no existe.`,
        );
      if (request.providerId && contract.providerId !== request.providerId) {
        throw refuse(
          'providerId',
          `contract ${contract.id} is not of ${request.providerId}`,
          `el contrato ${contract.number} no es de ese proveedor.`,
        );
      }
      if (!contract.centreIds.includes(order.centreId)) {
        throw refuse(
          'contractId',
          `contract ${contract.id} does not cover ${order.centreId}`,
          `el contrato ${contract.number} no cubre el centro de esta orden.`,
        );
      }
      if (!contract.equipmentTypes.includes(order.equipment.type)) {
        throw refuse(
          'contractId',
          `contract ${contract.id} does not cover ${order.equipment.type}`,
          `el contrato ${contract.number} no cubre este tipo de equipo.`,
        );
      }
      const provider = await deps.directory.provider(contract.providerId);
      if (!provider)
        throw refuse('providerId', `provider ${contract.providerId} not found`, 'el proveedor del contrato no existe.');
      const centre = deps.directory.centre ? await deps.directory.centre(order.centreId) : null;
      const calendar = centre ? calendarForCentre(centre) : defaultCalendar(deps.timeZone);
      const deadlines = {
        attendBy: deadlineIn(contract.hours, now, contract.attentionHours[order.priority] * H, calendar),
        resolveBy: deadlineIn(contract.hours, now, contract.resolutionHours[order.priority] * H, calendar),
        zone: calendar.zone,
      };
      return { provider: { providerId: provider.id, contractId: contract.id, name: provider.company, deadlines } };
    },
  );
}
