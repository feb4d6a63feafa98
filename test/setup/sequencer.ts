// With `isolate: false`, Vitest keeps a worker for the next file only while that file needs the
// same environment; otherwise it ends the worker, and the next node file starts a new one that
// loads every module and opens PGlite again (~5 s). The two jsdom files came last (smallest
// first is last), which ended both workers near the end and left a tail of ~17 s. They go second:
// the first worker starts on the largest file and keeps node to the end; the second runs the
// jsdom files, then starts over once for node.
import { readFile } from 'node:fs/promises';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const JSDOM = /^\/\/ @vitest-environment jsdom$/m;

export default class JsdomSecond extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const jsdom = await Promise.all(sorted.map(async (file) => JSDOM.test(await readFile(file.moduleId, 'utf8'))));
    const [first, ...node] = sorted.filter((_, i) => !jsdom[i]);
    return [...(first ? [first] : []), ...sorted.filter((_, i) => jsdom[i]), ...node];
  }
}
