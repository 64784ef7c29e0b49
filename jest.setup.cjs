// Runs before every test file (jest.preset.cjs `setupFiles`).
// Property tests (fast-check) draw the same cases on every run: a failure is reproducible from the printed
// counterexample, and CI never fails on cases the last local run did not try. A test that needs other cases
// passes its own `seed` (and `numRuns`) to fc.assert.
require('fast-check').configureGlobal({ seed: 20261127 });
