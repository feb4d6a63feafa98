// autocannon 8 ships no types, and @types/autocannon describe version 7 (one url only): what the
// load generator uses is typed in loadgen.ts.
declare module 'autocannon';
