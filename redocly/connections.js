// Redocly plugin: rules about authorization that configurable rules cannot express, because
// they need the operation's *effective* security (its own or the document's) and its
// parameters merged with the path item's, each resolved through `$ref`.

const ORGANIZATION_HEADERS = ['Requester-Organization-ID', 'Target-Organization-ID'];
const SCENARIOS = ['self', 'host', 'guest'];

/** Calls `check` for every operation with whether it is secured and its resolved parameters. */
function operationVisitor(check) {
  let documentSecurity;
  return {
    Root: {
      enter(root) {
        documentSecurity = root.security;
      },
    },
    PathItem: {
      Operation: {
        enter(operation, ctx, parents) {
          const security = operation.security ?? documentSecurity;
          const secured = Array.isArray(security) && security.length > 0;
          const raw = [...(parents.PathItem.parameters ?? []), ...(operation.parameters ?? [])];
          const parameters = raw.map((p) => ctx.resolve(p).node).filter((p) => p !== undefined);
          check({ operation, secured, parameters, ctx });
        },
      },
    },
  };
}

function OrganizationHeaders() {
  return operationVisitor(({ secured, parameters, ctx }) => {
    if (!secured) return;
    for (const name of ORGANIZATION_HEADERS) {
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
  return operationVisitor(({ operation, secured, ctx }) => {
    const scenarios = operation['x-scenarios'];
    const location = ctx.location.child('x-scenarios');
    if (!secured) {
      if (scenarios !== undefined) ctx.report({ message: 'An operation without security cannot declare `x-scenarios`.', location });
      return;
    }
    const valid =
      Array.isArray(scenarios) &&
      scenarios.length > 0 &&
      new Set(scenarios).size === scenarios.length &&
      scenarios.every((s) => SCENARIOS.includes(s));
    if (!valid) {
      ctx.report({
        message: `A secured operation must declare \`x-scenarios\`: a non-empty list of distinct values among ${SCENARIOS.join(', ')}.`,
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
