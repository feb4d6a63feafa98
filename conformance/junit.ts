// JUnit XML, the report CI systems read: one testsuite per part of the run, one testcase per
// flow step, matrix cell and fuzzed operation, a failure per case that broke the contract.
import { type CaseResult, findingText, type Suite } from './findings.js';

const escape = (text: string): string =>
  text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '?')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');

export function junitXml(cases: CaseResult[], seed: number): string {
  const failed = (c: CaseResult) => c.findings.length > 0;
  const suites = [...new Set(cases.map((c) => c.suite))].map((suite: Suite) => {
    const own = cases.filter((c) => c.suite === suite);
    const testcases = own.map((c) => {
      const open = `    <testcase classname="connections-api-conformance.${suite}" name="${escape(c.name)}"`;
      if (!failed(c)) return `${open}/>`;
      const [first] = c.findings;
      const message = first === undefined ? '' : `${first.operationId} — ${first.check}: ${first.message}`;
      const text = `${c.findings.map(findingText).join('\n')}\nseed: ${seed}`;
      return `${open}>\n      <failure message="${escape(message.slice(0, 500))}" type="${escape(first?.check ?? '')}">${escape(text)}</failure>\n    </testcase>`;
    });
    return `  <testsuite name="${suite}" tests="${own.length}" failures="${own.filter(failed).length}">\n${testcases.join('\n')}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="connections-api-conformance" tests="${cases.length}" failures="${cases.filter(failed).length}">\n${suites.join('\n')}\n</testsuites>\n`;
}
