// tsc on the mutated copy, in the test's own process and incremental between calls: the second
// call parses only the files that changed and re-checks only them and the files whose view of
// them changed, instead of a second tsc process that loads and checks the whole copy again.
import { join } from 'node:path';
import ts from 'typescript';

/** Returns a function that type-checks the project of `dir/tsconfig.json` as it is on disk now and returns tsc's errors, one per line. */
export function incrementalTypecheck(dir: string): () => string {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(dir, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    },
  );
  if (config === undefined) throw new Error(`no tsconfig.json in ${dir}`);
  const host = ts.createIncrementalCompilerHost(config.options);
  // An unchanged file keeps its parsed tree, which is what lets the builder reuse its checks.
  const parsed = new Map<string, { text: string; file: ts.SourceFile }>();
  const parse = host.getSourceFile;
  host.getSourceFile = (fileName, languageVersion, ...rest) => {
    const text = ts.sys.readFile(fileName);
    const known = parsed.get(fileName);
    if (known !== undefined && known.text === text) return known.file;
    const file = parse.call(host, fileName, languageVersion, ...rest);
    if (file !== undefined && text !== undefined) parsed.set(fileName, { text, file });
    return file;
  };
  const formatHost: ts.FormatDiagnosticsHost = {
    getCanonicalFileName: (fileName) => fileName,
    getCurrentDirectory: () => dir,
    getNewLine: () => '\n',
  };
  let program: ts.SemanticDiagnosticsBuilderProgram | undefined;
  return () => {
    program = ts.createSemanticDiagnosticsBuilderProgram(config.fileNames, config.options, host, program);
    return ts.formatDiagnostics(
      [...program.getSyntacticDiagnostics(), ...program.getGlobalDiagnostics(), ...program.getSemanticDiagnostics()],
      formatHost,
    );
  };
}
