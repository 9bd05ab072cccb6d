import { MongoServerError } from 'mongodb';

/**
 * Awaits an operation that must be refused by the server and returns the server's error.
 * Fails the test when the operation succeeds or fails for another reason (network, driver).
 */
export async function serverError(operation: Promise<unknown>): Promise<MongoServerError> {
  try {
    await operation;
  } catch (error) {
    if (error instanceof MongoServerError) return error;
    throw error;
  }
  throw new Error('expected the server to refuse the operation, but it succeeded');
}
