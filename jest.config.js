// Tests are compiled with the rest of the project (`npm test` runs `tsc` first),
// so jest runs plain JavaScript and the type checker covers the tests too.
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/dist/test'],
  testMatch: ['**/*.test.js'],
  testTimeout: 120000,
  maxWorkers: 2,
};
