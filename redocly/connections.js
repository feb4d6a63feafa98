// Redocly plugin: rules about authorization that configurable rules cannot express, because
// they need whether the operation needs the API's token (scripts/generate/security.js) and its
// parameters merged with the path item's, each resolved through `$ref`. What they check against
// is read from the contract itself: the scenarios from the root `x-scenario-definitions`, the
// organization headers from `components/parameters`.
import { needsApiToken } from '../scripts/generate/security.js';

const ORGANIZATION_PARAMETERS = ['RequesterOrganizationId', 'TargetOrganizationId'];

/** Calls `check` for every operation with whether it needs the API's token, its resolved parameters and the document root. */
function operationVisitor(check) {
  let root;
  return {
    Root: {
      enter(node) {
        root = node;
      },
    },
    PathItem: {
      Operation: {
        enter(operation, ctx, parents) {
          const secured = needsApiToken(operation.security, root.security);
          const raw = [...(parents.PathItem.parameters ?? []), ...(operation.parameters ?? [])];
          const parameters = raw.map((p) => ctx.resolve(p).node).filter((p) => p !== undefined);
          check({ operation, secured, parameters, root, ctx });
        },
      },
    },
  };
}

function OrganizationHeaders() {
  return operationVisitor(({ secured, parameters, root, ctx }) => {
    if (!secured) return;
    const names = ORGANIZATION_PARAMETERS.map(
      (key) => root.components?.parameters?.[key]?.name ?? `components/parameters/${key}`,
    );
    for (const name of names) {
      const header = parameters.find((p) => p.in === 'header' && p.name.toLowerCase() === name.toLowerCase());
      if (header?.required !== true) {
        ctx.report({
          message: `A secured operation must declare the required header parameter \`${name}\`.`,
          location: ctx.location.key(),
        });
      }
    }
  });
}

function OperationScenarios() {
  return operationVisitor(({ operation, secured, root, ctx }) => {
    const known = Object.keys(root['x-scenario-definitions'] ?? {});
    const scenarios = operation['x-scenarios'];
    const location = ctx.location.child('x-scenarios');
    if (!secured) {
      if (scenarios !== undefined)
        ctx.report({ message: 'An operation that takes no API token cannot declare `x-scenarios`.', location });
      return;
    }
    const valid =
      Array.isArray(scenarios) &&
      scenarios.length > 0 &&
      new Set(scenarios).size === scenarios.length &&
      scenarios.every((s) => known.includes(s));
    if (!valid) {
      ctx.report({
        message: `A secured operation must declare \`x-scenarios\`: a non-empty list of distinct scenarios of \`x-scenario-definitions\` (${known.join(', ')}).`,
        location: scenarios === undefined ? ctx.location.key() : location,
      });
    }
  });
}

export default function connectionsPlugin() {
  return {
    id: 'connections',
    rules: {
      oas3: {
        'organization-headers': OrganizationHeaders,
        'operation-scenarios': OperationScenarios,
      },
    },
  };
}
