/**
 * What a suite started, stopped in reverse order however the suite ends. Each resource is
 * registered the moment it exists (before the next one starts), so a `beforeAll` that fails
 * or times out half-way still leaves `afterAll` able to stop everything; a resource that
 * comes up after the teardown already ran (a start that outlived its `beforeAll`) is
 * stopped as soon as it registers. One failing stop does not keep the others from running.
 */
export class Teardown {
  private readonly stops: Array<() => Promise<unknown>> = [];
  private closed = false;

  /** Registers `stop` for `resource` and returns the resource. */
  async add<T>(resource: T, stop: (resource: T) => Promise<unknown>): Promise<T> {
    if (this.closed) {
      await stop(resource);
      throw new Error('started after the suite was torn down; stopped again');
    }
    this.stops.push(() => stop(resource));
    return resource;
  }

  /** Stops everything registered, newest first; throws the first failure after trying all. */
  async close(): Promise<void> {
    this.closed = true;
    const failures: unknown[] = [];
    for (let stop = this.stops.pop(); stop; stop = this.stops.pop()) {
      try {
        await stop();
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0) throw failures[0];
  }
}
