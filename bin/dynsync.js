#!/usr/bin/env node
// The `dynsync` command (package.json "bin"): run it from the repository with `npx dynsync <command>`, which uses
// the Node 24 of node_modules (TypeScript is run directly through type stripping). See services/cli/README.md.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18) || major === 23 && minor < 6) {
  process.stderr.write(`dynsync needs Node.js >= 22.18 (runs TypeScript directly); this is ${process.version}. Run it as \`npx dynsync\`.\n`);
  process.exit(2);
}
await import('../services/cli/main.ts');
