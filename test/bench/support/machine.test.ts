import { busyVerdict } from '../../../bench/support/machine';

describe('busyVerdict', () => {
  it.each([
    [0.4, 2, false],
    [1.0, 2, false],
    [1.01, 2, true],
    [3.6, 2, true],
    [3.9, 8, false],
    [4.1, 8, true],
  ])('with a 1-minute load average of %d on %d cores says busy: %s', (load, cores, busy) => {
    expect(busyVerdict(load, cores).busy).toBe(busy);
  });

  it('names the load, the cores and the limit in its reason', () => {
    expect(busyVerdict(3.63, 2).reason).toBe('1-minute load average 3.63 > 0.5 × 2 cores = 1.00');
  });
});
