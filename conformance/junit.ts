// JUnit XML, the report CI systems read: one testsuite per part of the run, one testcase per
// flow step, matrix cell and fuzzed operation, a failure per case that broke the contract.
import { type CaseResult, findingText, type Suite } from './findings.js';

/** XML 1.0 allows no control characters but tab and line ends: they become `?`. */
const allowed = (c: string): boolean => (c.codePointAt(0) ?? 0) >= 0x20 || c === '\t' || c === '\n' || c === '\r';

const xmlText = (text: string): string =>
  [...text]
    .map((c) => (allowed(c) ? c : '?'))
    .join('')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');

export function junitXml(cases: CaseResult[], seed: number): string {
  const failed = (c: CaseResult) => c.findings.length > 0;
  const suites = [...new Set(cases.map((c) => c.suite))].map((suite: Suite) => {
    const own = cases.filter((c) => c.suite === suite);
    const testcases = own.map((c) => {
      const open = `    <testcase classname="connections-api-conformance.${suite}" name="${xmlText(c.name)}"`;
      if (!failed(c)) return `${open}/>`;
      const [first] = c.findings;
      const message = first === undefined ? '' : `${first.operationId} — ${first.check}: ${first.message}`;
      const text = `${c.findings.map(findingText).join('\n')}\nseed: ${seed}`;
      return `${open}>\n      <failure message="${xmlText(message.slice(0, 500))}" type="${xmlText(first?.check ?? '')}">${xmlText(text)}</failure>\n    </testcase>`;
    });
    return `  <testsuite name="${suite}" tests="${own.length}" failures="${own.filter(failed).length}">\n${testcases.join('\n')}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="connections-api-conformance" tests="${cases.length}" failures="${cases.filter(failed).length}">\n${suites.join('\n')}\n</testsuites>\n`;
}
