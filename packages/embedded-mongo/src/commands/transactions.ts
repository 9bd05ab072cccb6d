/**
 * commitTransaction / abortTransaction. The dispatcher has already bound the session's
 * transaction to the context; a repeated commit of a committed transaction succeeds (the
 * driver retries commits), as in MongoDB.
 */
import { CommandSpec } from './types';
import { CommandError, ErrorCodes } from '../errors';
import { noSuchTransaction } from '../engine';

export const transactionCommands: CommandSpec[] = [
  {
    name: 'commitTransaction',
    fields: ['recoveryToken'],
    inTxn: true,
    run: (ctx) => {
      if (!ctx.txn) throw new CommandError(ErrorCodes.NoSuchTransaction, 'no transaction in progress');
      ctx.engine.commitTransaction(ctx.txn);
      return { ok: 1 };
    },
  },
  {
    name: 'abortTransaction',
    fields: ['recoveryToken'],
    inTxn: true,
    run: (ctx) => {
      const txn = ctx.txn;
      if (!txn || txn.state === 'aborted') throw noSuchTransaction(txn?.txnNumber ?? 0);
      if (txn.state === 'committed')
        throw new CommandError(256, 'Transaction has been committed and cannot be aborted');
      ctx.engine.endTransaction(txn, 'aborted');
      return { ok: 1 };
    },
  },
];
