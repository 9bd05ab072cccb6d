export * from './types';
export { OutboxRelay } from './relay';
export type { RelayOptions } from './relay';
export { OutboxDispatcher, backoffDelay } from './dispatcher';
export type { DispatcherOptions, DispatchOutcome } from './dispatcher';
export { OutboxLoop } from './loop';
export { recipientLabel } from './history';
