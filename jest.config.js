// Three tiers (STYLE.md #8): unit specs beside the code run without any server; integration and
// end-to-end specs talk to real PostgreSQL, Redis, an S3 server and ONNX Runtime, which the
// integration project's global setup starts on random loopback ports and stops afterwards.
const preset = require('./jest.preset');

const roots = ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/tools'];

module.exports = {
  // Integration specs start services and processes and run the model, and their waits add up: on a
  // loaded 2-core CI machine a correct test can pass a minute. A test's own waits say how long each
  // step may take; this only keeps a hung test from holding CI for ever. Unit specs finish far below.
  testTimeout: 180_000,
  // On 2 cores Jest runs the specs in band, in its own process; a handle a spec leaks (a child
  // process' pipe after SIGKILL, say) must not keep CI waiting after the results are in. Results
  // and the exit code are unaffected. Find the leak with `npx jest --detectOpenHandles`.
  forceExit: true,
  projects: [
    {
      ...preset,
      displayName: 'unit',
      rootDir: __dirname,
      roots,
      testMatch: ['**/*.spec.ts'],
      testPathIgnorePatterns: ['/node_modules/', '\\.int\\.spec\\.ts$', '\\.e2e\\.spec\\.ts$'],
    },
    {
      ...preset,
      displayName: 'integration',
      rootDir: __dirname,
      roots: [...roots, '<rootDir>/test'],
      testMatch: ['**/*.int.spec.ts', '**/*.e2e.spec.ts'],
      globalSetup: '<rootDir>/test/global-setup.ts',
      globalTeardown: '<rootDir>/test/global-teardown.ts',
    },
  ],
};
