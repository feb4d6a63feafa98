// A ProblemError is an expected answer (every refused request of a flood makes one): it must not
// pay for a stack trace, and making one must leave other errors' traces as they were.
import { describe, expect, it } from 'vitest';
import { ProblemError } from '../../server/domain/problems.js';

describe('ProblemError', () => {
  it('captures no stack trace, and leaves the stack trace limit as it found it', () => {
    const limit = Error.stackTraceLimit;
    const problem = new ProblemError('rate_limited', 'Too many requests.', { headers: { 'Retry-After': '1' } });
    expect(problem).toBeInstanceOf(Error);
    expect(problem.stack).not.toContain('\n    at ');
    expect(Error.stackTraceLimit).toBe(limit);
    expect(new Error('a bug').stack).toContain('\n    at ');
  });
});
