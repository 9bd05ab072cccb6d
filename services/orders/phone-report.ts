import { AppError } from '../errors';
import type { DirectoryReader } from '../directory/directory-store';
import type { ServiceOrder } from './types';
import { compact } from './inputs';

interface ContactInput {
  channel: 'teams' | 'email' | 'phone';
  requesterId?: string;
  unknownRequester?: { name: string; email?: string };
  contact?: { extension?: string; phone?: string };
}

/**
 * How the desk calls the requester back. A phone report must record the caller's phone or
 * extension: the analyst asks for it, and when the caller is in the directory with an
 * extension that one stands in. A caller not in the directory who gave an email has it
 * kept here too, beside the requester's snapshot that the notices use. Other channels keep
 * what they were given.
 */
export async function callerContact(
  deps: { directory: Pick<DirectoryReader, 'personById'> },
  input: ContactInput,
): Promise<ServiceOrder['contact'] | undefined> {
  const given = input.contact ? compact(input.contact) : {};
  const email = input.unknownRequester?.email;
  const contact: NonNullable<ServiceOrder['contact']> = { ...given, ...(email ? { email } : {}) };
  if (input.channel === 'phone' && !contact.phone && !contact.extension) {
    const person = input.requesterId ? await deps.directory.personById(input.requesterId) : null;
    if (!person?.extension) {
      throw new AppError(
        'VALIDATION',
        'phone report without phone or extension',
        'contact: indique el teléfono o la extensión de quien llama.',
        { field: 'contact' },
      );
    }
    contact.extension = person.extension;
  }
  return Object.keys(contact).length > 0 ? contact : undefined;
}
