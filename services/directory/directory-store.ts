import type { Collection, Db, Document, MongoClient } from 'mongodb';
import { AppError } from '../errors';
import type { EquipmentType } from '../orders/types';
import type { Centre, Contract, Directory, Person, Provider, ServiceLevels } from './schema';
import { DeskTargets, targetsForCentre } from '../sla/targets';

/**
 * Read access to the directory. Every lookup takes plain strings and checks them at run
 * time, so a value that came from a user can never reach a query as an operator.
 * A miss is `null` / an empty list, never an error: callers decide what a miss means.
 */
export interface DirectoryReader {
  personById(id: string): Promise<Person | null>;
  /** Case-insensitive. */
  personByEmail(email: string): Promise<Person | null>;
  personByAadObjectId(aadObjectId: string): Promise<Person | null>;
  analysts(): Promise<Person[]>;
  judgesOfCentre(centreId: string): Promise<Person[]>;
  engineersOfCentre(centreId: string): Promise<Person[]>;
  providerContacts(providerId: string): Promise<Person[]>;
  centre(id: string): Promise<Centre | null>;
  provider(id: string): Promise<Provider | null>;
  contractById(id: string): Promise<Contract | null>;
  contractsFor(centreId: string, equipment: EquipmentType): Promise<Contract[]>;
  /** The desk's service-level targets in a centre; `null` when the directory sets none. */
  deskTargets(centreId: string): Promise<DeskTargets | null>;
}

/** Replaces the whole directory at once. */
export interface DirectoryWriter {
  replaceAll(directory: Directory): Promise<void>;
}

type Stored<T> = T & { _id: string };

function str(value: unknown, field: string): string {
  if (typeof value !== 'string') {
    throw new AppError('VALIDATION', `directory lookup ${field} must be a string`, `El dato «${field}» no es válido.`, {
      field,
    });
  }
  return value;
}

function strip<T>(doc: Stored<T> | null): T | null {
  if (!doc) return null;
  const { _id, ...rest } = doc;
  void _id;
  return rest as unknown as T;
}

/**
 * The directory in MongoDB: collections `people`, `centres`, `providers`, `contracts`, each
 * document keyed by the directory id.
 *
 * `replaceAll` runs in one transaction (`withSession` + `withTransaction`): readers see the
 * old directory or the new one, never a mix, and a failure half-way leaves the old one in
 * place. A transaction is chosen over a versioned swap because every lookup stays a plain
 * query on one collection (no "current generation" to read first), and both the embedded
 * engine and a MongoDB replica set support it; the directory is small (hundreds of people).
 */
export class MongoDirectoryStore implements DirectoryReader, DirectoryWriter {
  private readonly people: Collection<Stored<Person>>;
  private readonly centres: Collection<Stored<Centre>>;
  private readonly providers: Collection<Stored<Provider>>;
  private readonly contracts: Collection<Stored<Contract>>;
  private readonly serviceLevels: Collection<Stored<ServiceLevels>>;

  constructor(
    private readonly client: MongoClient,
    db: Db,
  ) {
    this.people = db.collection('people');
    this.centres = db.collection('centres');
    this.providers = db.collection('providers');
    this.contracts = db.collection('contracts');
    this.serviceLevels = db.collection('serviceLevels');
  }

  /** Creates the lookup indexes; idempotent, call once at start-up. */
  async ensureIndexes(): Promise<void> {
    await this.people.createIndex({ email: 1 }, { unique: true });
    await this.people.createIndex({ aadObjectId: 1 }, { unique: true, sparse: true });
    // Single-field: a compound index over two array fields is refused (parallel arrays).
    await this.people.createIndex({ roles: 1 });
    await this.contracts.createIndex({ centreIds: 1 });
  }

  async replaceAll(directory: Directory): Promise<void> {
    const keyed = <T extends { id: string }>(items: T[]) => items.map((i) => ({ ...i, _id: i.id }) as Stored<T>);
    await this.client.withSession((session) =>
      session.withTransaction(async () => {
        const pairs: [Collection<Document>, Document[]][] = [
          [this.centres as never, keyed(directory.centres)],
          [this.providers as never, keyed(directory.providers)],
          [this.contracts as never, keyed(directory.contracts)],
          [this.people as never, keyed(directory.people)],
        ];
        for (const [collection, docs] of pairs) {
          await collection.deleteMany({}, { session });
          if (docs.length > 0) await collection.insertMany(docs, { session });
        }
        await this.serviceLevels.deleteMany({}, { session });
        if (directory.serviceLevels)
          await this.serviceLevels.insertOne({ ...directory.serviceLevels, _id: 'desk' }, { session });
      }),
    );
  }

  /** The whole stored directory (for `show` and tests). */
  async snapshot(): Promise<Directory> {
    const all = async <T>(c: Collection<Stored<T>>) =>
      (await c.find({}).sort({ _id: 1 }).toArray()).map((d) => strip(d as Stored<T>)!);
    const levels = strip(await this.serviceLevels.findOne({ _id: 'desk' }));
    return {
      ...(levels ? { serviceLevels: levels } : {}),
      centres: await all(this.centres),
      providers: await all(this.providers),
      contracts: await all(this.contracts),
      people: await all(this.people),
    };
  }

  async personById(id: string) {
    return strip(await this.people.findOne({ _id: str(id, 'id') }));
  }
  async personByEmail(email: string) {
    return strip(await this.people.findOne({ email: str(email, 'email').trim().toLowerCase() }));
  }
  async personByAadObjectId(aadObjectId: string) {
    return strip(await this.people.findOne({ aadObjectId: str(aadObjectId, 'aadObjectId').toLowerCase() }));
  }
  async analysts() {
    return this.findPeople({ roles: 'analyst' });
  }
  async judgesOfCentre(centreId: string) {
    return this.findPeople({ roles: 'judge', centreIds: str(centreId, 'centreId') });
  }
  async engineersOfCentre(centreId: string) {
    return this.findPeople({ roles: 'engineer', centreIds: str(centreId, 'centreId') });
  }
  async providerContacts(providerId: string) {
    return this.findPeople({ roles: 'provider', providerId: str(providerId, 'providerId') });
  }
  async centre(id: string) {
    return strip(await this.centres.findOne({ _id: str(id, 'id') }));
  }
  async provider(id: string) {
    return strip(await this.providers.findOne({ _id: str(id, 'id') }));
  }
  async contractById(id: string) {
    return strip(await this.contracts.findOne({ _id: str(id, 'id') }));
  }
  async contractsFor(centreId: string, equipment: EquipmentType) {
    const docs = await this.contracts
      .find({ centreIds: str(centreId, 'centreId'), equipmentTypes: str(equipment, 'equipment') as EquipmentType })
      .sort({ _id: 1 })
      .toArray();
    return docs.map((d) => strip(d)!);
  }

  async deskTargets(centreId: string) {
    return targetsForCentre(
      strip(await this.serviceLevels.findOne({ _id: 'desk' })) ?? undefined,
      str(centreId, 'centreId'),
    );
  }

  private async findPeople(filter: Record<string, string>): Promise<Person[]> {
    const docs = await this.people
      .find(filter as never)
      .sort({ _id: 1 })
      .toArray();
    return docs.map((d) => strip(d)!);
  }
}
