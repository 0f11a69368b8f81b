// The live suite (`npm run test:live`, never in .ci/run): the Snowflake lifecycle on a real account, when
// SNOWFLAKE_* credentials are set (test/live/snowflakeEnv.ts says which). It must reach the account, so it has
// no loopback guard; snowflake-sdk's cloud-metadata probing is still switched off before it loads.
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/dist/test/live'],
  testMatch: ['**/*.test.js'],
  setupFiles: ['<rootDir>/dist/test/live/liveSetup.js'],
  testTimeout: 600000,
  maxWorkers: 1,
};
