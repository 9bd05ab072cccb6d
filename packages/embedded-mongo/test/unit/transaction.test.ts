import { tempEngine } from './temp-store';
import { Engine } from '../../src/engine';
import { OpContext } from '../../src/context';
import { CommandError } from '../../src/errors';

function setup(): Engine {
  const engine = tempEngine();
  new OpContext(engine, 'd').insert('c', { _id: 1, v: 'original' });
  return engine;
}

function caught(fn: () => void): CommandError {
  try {
    fn();
  } catch (err) {
    return err as CommandError;
  }
  throw new Error('expected an error');
}

describe('transactions', () => {
  it('are not expired while their client keeps working past 60 seconds, only once idle that long', () => {
    const engine = setup();
    const t0 = Date.now();
    const txn = engine.beginTransaction('s1', 1);
    // A command at +50 s (a long replaceAll under load), then the check at +70 s.
    txn.lastActive = t0 + 50_000;
    engine.expireTransactions(t0 + 70_000);
    expect(txn.state).toBe('active');
    engine.expireTransactions(t0 + 50_000 + 61_000);
    expect(txn.state).toBe('aborted');
  });

  it('read their snapshot even after another client changes the document', () => {
    const engine = setup();
    const txn = engine.beginTransaction('s1', 1);
    new OpContext(engine, 'd').put('c', { _id: 1, v: 'changed outside' });
    expect(new OpContext(engine, 'd', txn).find('c', { _id: 1 })).toEqual([{ _id: 1, v: 'original' }]);
    expect(new OpContext(engine, 'd').find('c', { _id: 1 })).toEqual([{ _id: 1, v: 'changed outside' }]);
  });

  it('see their own writes while others do not until commit', () => {
    const engine = setup();
    const txn = engine.beginTransaction('s1', 1);
    new OpContext(engine, 'd', txn).insert('c', { _id: 2, v: 'mine' });
    expect(new OpContext(engine, 'd', txn).find('c', {})).toHaveLength(2);
    expect(new OpContext(engine, 'd').find('c', {})).toHaveLength(1);
    engine.commitTransaction(txn);
    expect(new OpContext(engine, 'd').find('c', {})).toHaveLength(2);
  });

  it('answer WriteConflict with TransientTransactionError when the document changed after the snapshot', () => {
    const engine = setup();
    const txn = engine.beginTransaction('s1', 1);
    new OpContext(engine, 'd').put('c', { _id: 1, v: 'changed outside' });
    const err = caught(() => new OpContext(engine, 'd', txn).put('c', { _id: 1, v: 'mine' }));
    expect(err.code).toBe(112);
    expect(err.labels).toContain('TransientTransactionError');
  });

  it('refuse a second transaction writing a document the first one holds', () => {
    const engine = setup();
    const first = engine.beginTransaction('s1', 1);
    const second = engine.beginTransaction('s2', 1);
    new OpContext(engine, 'd', first).put('c', { _id: 1, v: 'first' });
    expect(caught(() => new OpContext(engine, 'd', second).put('c', { _id: 1, v: 'second' })).code).toBe(112);
  });

  it('leave no trace when aborted', () => {
    const engine = setup();
    const txn = engine.beginTransaction('s1', 1);
    new OpContext(engine, 'd', txn).remove('c', 1);
    engine.endTransaction(txn, 'aborted');
    expect(new OpContext(engine, 'd').find('c', {})).toEqual([{ _id: 1, v: 'original' }]);
    expect(engine.catalog.get('d', 'c')?.history.size).toBe(0);
  });
});
