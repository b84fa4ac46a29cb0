/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  transform: { '^.+\\.ts$': ['ts-jest', {}] },
  // e2e suites start real Prometheus/Alertmanager/Chromium processes.
  testTimeout: 30000,
  reporters: ['default', '<rootDir>/tests/support/summary-reporter.js'],
};
