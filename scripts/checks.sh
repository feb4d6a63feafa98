#!/bin/sh
# The static checks that `npm test` runs before vitest. The typecheck, the longest (~10 s), runs
# beside the others, which take about as long one after the other; any failure fails the whole.
npm run -s typecheck &
typecheck=$!
npm run lint && npm run lint:ts && npm run format:check && npm run knip && npm run generate:check && npm run contract:diff
others=$?
wait "$typecheck"
typechecked=$?
[ "$others" -eq 0 ] && [ "$typechecked" -eq 0 ]
