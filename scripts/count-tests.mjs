// Sums vitest's "Tests  N passed | M failed | K skipped (T)" lines (also behind turbo's prefixes) across logs
// and prints one plain line: "N passed, M failed, K skipped". Test files that failed to load count as failures.
import { readFileSync } from 'node:fs';

const totals = { passed: 0, failed: 0, skipped: 0 };
const count = (part, word) => Number(part.match(new RegExp(`(\\d+) ${word}`))?.[1] ?? 0);

for (const file of process.argv.slice(2)) {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: strips ANSI colour codes
  const text = readFileSync(file, 'utf8').replace(/\u001b\[[0-9;]*m/g, '');
  let failedFiles = 0;
  for (const line of text.split('\n')) {
    const files = line.match(/\bTest Files\s{2,}(.*)$/);
    if (files) {
      totals.failed += failedFiles;
      failedFiles = count(files[1], 'failed');
      continue;
    }
    const tests = line.match(/\bTests\s{2,}(.*)$/);
    if (tests) {
      const failedTests = count(tests[1], 'failed');
      totals.passed += count(tests[1], 'passed');
      totals.skipped += count(tests[1], 'skipped') + count(tests[1], 'todo');
      totals.failed += Math.max(failedTests, failedFiles);
      failedFiles = 0;
    }
  }
  totals.failed += failedFiles;
}
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
