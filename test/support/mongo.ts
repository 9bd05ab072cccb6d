/** The per-test-file database (a real server via MONGODB_URI, or the embedded engine) lives with the engine package. */
export * from '../../packages/embedded-mongo/test/support/test-database';
