// Starts `archspec lsp` (or archspec.server.command) for .arch files.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration("archspec");
  const [command, ...args] = config.get("server.command", ["archspec", "lsp"]);
  const server = { command, args };
  client = new LanguageClient("archspec", "archspec", { run: server, debug: server }, {
    documentSelector: [{ language: "archspec" }],
    initializationOptions: { inlayHints: config.get("inlayHints", true) },
    synchronize: { configurationSection: "archspec" },
  });
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
