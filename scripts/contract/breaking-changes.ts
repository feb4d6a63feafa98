// Which changes from the released contract to the current one break a client that was
// written against the released one. The classification is api-smart-diff's (maintained,
// pure JavaScript, offline; it reads OpenAPI 3.1 and classifies every change as breaking,
// non-breaking, deprecated, annotation or unclassified, telling requests from responses).
// Two corrections, each for a gap of that tool:
// - Only changes under an operation count. A schema under `components/` is also reported on its
//   own, without the operation around it, so the tool cannot tell request from response there
//   and calls a new required response field breaking; the same change is reported again, in
//   context, under every operation that uses the schema.
// - A value added to a response enum (a new error `code`, a new status) is not breaking: it is
//   how this contract grows, and clients are told to expect new values. The tool calls it
//   breaking in inline responses and non-breaking in `$ref`'d ones; here it is always a note.
// - A security requirement added to a list that keeps the anonymous alternative `{}` is not
//   breaking: a request without those credentials still satisfies the list. The tool calls
//   every added requirement breaking; without `{}` in the list it still is.
import { apiDiff, type Diff } from 'api-smart-diff';

type Change = { description: string; pointer: string };
export type Classified = { breaking: Change[]; other: number };

/** The diff's path as a JSON pointer into the contract, e.g. `#/paths/~1host-connections/get`. */
function pointer(path: readonly (string | number)[]): string {
  return `#/${path.map((part) => String(part).replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
}

function isResponseEnumAddition(diff: Diff): boolean {
  return diff.action === 'add' && diff.path.includes('responses') && diff.path.at(-2) === 'enum';
}

/** The value at `path` in `document`; undefined when there is none. */
function at(document: unknown, path: readonly (string | number)[]): unknown {
  let node = document;
  for (const part of path)
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[part] : undefined;
  return node;
}

function isOptionalSecurityAddition(diff: Diff, current: unknown): boolean {
  const list = diff.path.lastIndexOf('security');
  if (diff.action !== 'add' || list < 0) return false;
  const requirements = at(current, diff.path.slice(0, list + 1));
  return (
    Array.isArray(requirements) &&
    requirements.some((r) => typeof r === 'object' && r !== null && Object.keys(r).length === 0)
  );
}

export function classifyChanges(released: unknown, current: unknown): Classified {
  const diffs = apiDiff(released, current).filter((diff) => diff.path[0] !== 'components');
  const breaking = diffs.filter(
    (diff) => diff.type === 'breaking' && !isResponseEnumAddition(diff) && !isOptionalSecurityAddition(diff, current),
  );
  return {
    breaking: breaking.map((diff) => ({
      description: diff.description ?? `${diff.action} ${String(diff.path.at(-1))}`,
      pointer: pointer(diff.path),
    })),
    other: diffs.length - breaking.length,
  };
}
