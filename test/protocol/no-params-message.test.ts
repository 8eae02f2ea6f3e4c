// What a developer reads when passing call options as the params of a method that takes none: the
// real TypeScript compiler, over a snippet that calls the generated client surface. The message names
// the problem and the fix, not "Type 'number' is not assignable to type 'never'".
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
/** An in-memory file beside the tests: it imports the generated surface as a user's code would. */
const SNIPPET = `${REPO}test/protocol/no-params-call.ts`;

/** The compiler's errors for `code` (one string each, its chain of messages joined by newlines). */
function compile(code: string): string[] {
  const options: ts.CompilerOptions = { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, lib: ["lib.es2022.d.ts", "lib.dom.d.ts"], types: [], skipLibCheck: true };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (name) => name === SNIPPET || fileExists.call(host, name);
  host.readFile = (name) => (name === SNIPPET ? code : readFile.call(host, name));
  host.getSourceFile = (name, version, ...rest) => (name === SNIPPET ? ts.createSourceFile(name, code, version) : getSourceFile.call(host, name, version, ...rest));
  const program = ts.createProgram([SNIPPET], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
}

const HEADER = `import type { PresenceMethods } from "../../src/generated/client.js";\ndeclare const methods: PresenceMethods;\n`;

describe("NoParams: the compiler's message", () => {
  it("call options as systemPresence's params: the error says system-presence takes no params and where options go", () => {
    const errors = compile(`${HEADER}void methods.systemPresence({ timeoutMs: 500 });\nvoid methods.presenceResync({ signal: new AbortController().signal });\n`);
    expect(errors).toEqual([
      `Type 'number' is not assignable to type '"system-presence takes no params: call options go second, as in (undefined, { timeoutMs: 500 })"'.`,
      `Type 'AbortSignal' is not assignable to type '"presence.resync takes no params: call options go second, as in (undefined, { timeoutMs: 500 })"'.`,
    ]);
  });

  it("nothing, {} and call options second compile", () => {
    expect(compile(`${HEADER}void methods.systemPresence();\nvoid methods.systemPresence({});\nvoid methods.systemPresence(undefined, { timeoutMs: 500 });\nvoid methods.presenceResync({}, { timeoutMs: 500 });\n`)).toEqual([]);
  });
});
