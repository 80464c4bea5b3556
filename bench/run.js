#!/usr/bin/env node
// Runs one benchmark suite by name (`npm run bench -- sandbox`) and prints its
// figures as JSON on stdout. Suites import the built library from dist/, so
// run `npm run build` first.
const suites = { sandbox: './sandbox.js', proxy: './proxy.js', gateway: './gateway.js', cli: './cli.js' };

const names = process.argv.slice(2);
const unknown = names.filter((name) => !(name in suites));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(suites).join(', ')}`);
  process.exit(2);
}
const results = {};
for (const name of names.length > 0 ? names : Object.keys(suites)) {
  const suite = await import(suites[name]);
  results[name] = await suite.run();
}
console.log(JSON.stringify(results, null, 2));
