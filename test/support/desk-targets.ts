import example from '../../services/directory/example-directory.json';
import type { DeskTargets } from '../../services/sla/targets';

/** The example directory's desk-wide targets, for tests that measure clocks without a directory. */
export const EXAMPLE_DESK_TARGETS: DeskTargets = example.serviceLevels.desk;
