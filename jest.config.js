// Tests are compiled with the rest of the project (`npm test` runs `tsc` first),
// so jest runs plain JavaScript and the type checker covers the tests too.
// `npm test` starts jest under Node's --experimental-vm-modules: @google-cloud/bigquery's HTTP layer
// (teeny-request) loads node-fetch with a dynamic import(), which jest's CommonJS runtime refuses without it.
// The CLI runs in plain Node and needs nothing of the kind. Running jest by hand: NODE_OPTIONS=--experimental-vm-modules.
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/dist/test'],
  testMatch: ['**/*.test.js'],
  // The live suite reaches a real Snowflake account: only `npm run test:live` runs it (jest.live.config.js).
  testPathIgnorePatterns: ['/node_modules/', '/dist/test/live/'],
  // Which engines the tests can reach (DIALECTS narrows them; fails the run in CI when a server is down),
  // then the analyzers' ZetaSQL servers, BigQuery's and Snowflake's (their ports reach the workers through env); teardown kills them.
  globalSetup: '<rootDir>/dist/test/helpers/globalSetup.js',
  globalTeardown: '<rootDir>/dist/test/helpers/globalTeardown.js',
  // Before every test file: refuse any non-loopback request (and keep snowflake-sdk from probing cloud metadata).
  setupFiles: ['<rootDir>/dist/test/helpers/netGuard.js'],
  testTimeout: 120000,
  maxWorkers: 2,
};
