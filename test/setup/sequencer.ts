// The test files in an order that keeps both workers busy to the end: the longest first. Vitest
// orders by the last run's durations when it has them, but a fresh clone (CI) has none, and its
// files would start in path order, the minute-long package test among the last, leaving one
// worker alone with it. These folders and files hold the longest ones (docs/testing.md); within
// each, and for the rest, vitest's own order.
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const LONGEST_FIRST = ['/test/package/', '/test/mutation/', '/test/store/admin.', '/test/process/', '/test/fuzz/'];

const rank = (file: TestSpecification): number => {
  const index = LONGEST_FIRST.findIndex((part) => file.moduleId.includes(part));
  return index === -1 ? LONGEST_FIRST.length : index;
};

export class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}
