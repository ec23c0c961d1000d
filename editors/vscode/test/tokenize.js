// Tokenizes .arch files with the extension's TextMate grammar (vscode-textmate, the engine
// VS Code uses) and prints, per file, what a test checks: text left without a scope, text
// scoped invalid, whether every begun scope was closed at the end, and the scopes per token.
//   node test/tokenize.js FILE...    (run from editors/vscode after `npm install`)
const fs = require("fs");
const path = require("path");
const vsctm = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");

const GRAMMAR = path.join(__dirname, "..", "syntaxes", "archspec.tmLanguage.json");

async function loadGrammar() {
  const wasm = fs.readFileSync(path.join(path.dirname(require.resolve("vscode-oniguruma")),
    "onig.wasm")).buffer;
  await oniguruma.loadWASM(wasm);
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scope) => scope === "source.archspec"
      ? vsctm.parseRawGrammar(fs.readFileSync(GRAMMAR, "utf8"), GRAMMAR) : null,
  });
  return registry.loadGrammar("source.archspec");
}

function tokenizeFile(grammar, file) {
  const report = { unscoped: [], invalid: [], closed: true, tokens: [] };
  let stack = vsctm.INITIAL;
  fs.readFileSync(file, "utf8").split(/\r?\n/).forEach((line, i) => {
    const result = grammar.tokenizeLine(line, stack);
    for (const t of result.tokens) {
      const text = line.slice(t.startIndex, t.endIndex);
      if (!text.trim()) continue;
      const where = `${i + 1}:${t.startIndex + 1} ${JSON.stringify(text)}`;
      if (t.scopes.length < 2) report.unscoped.push(where);
      if (t.scopes.some((s) => s.startsWith("invalid"))) report.invalid.push(where);
      report.tokens.push([text, t.scopes[t.scopes.length - 1]]);
    }
    stack = result.ruleStack;
  });
  // At the root again: the same state as after an empty first line (no begin left open).
  report.closed = stack.equals(grammar.tokenizeLine("", vsctm.INITIAL).ruleStack);
  return report;
}

loadGrammar().then((grammar) => {
  const out = {};
  for (const file of process.argv.slice(2)) out[file] = tokenizeFile(grammar, file);
  process.stdout.write(JSON.stringify(out));
});
