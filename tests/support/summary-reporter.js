// A jest reporter that writes the run's counts to $JEST_SUMMARY_FILE (when set), so CI can
// print its own `N passed, N failed` line without parsing jest's human-readable output and
// without changing the README's test command.
const { writeFileSync } = require('node:fs');

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const file = process.env.JEST_SUMMARY_FILE;
    if (!file) return;
    writeFileSync(file, JSON.stringify({
      numPassedTests: results.numPassedTests,
      numFailedTests: results.numFailedTests,
      numPendingTests: results.numPendingTests,
      numTodoTests: results.numTodoTests,
      numFailedTestSuites: results.numFailedTestSuites,
      numRuntimeErrorTestSuites: results.numRuntimeErrorTestSuites,
      success: results.success,
      failed: results.testResults
        .filter((s) => s.numFailingTests > 0 || s.testExecError)
        .map((s) => ({ file: s.testFilePath, error: s.testExecError ? String(s.testExecError.message) : null,
          tests: s.testResults.filter((t) => t.status === 'failed').map((t) => t.fullName) })),
    }, null, 2));
  }
}
module.exports = SummaryReporter;
