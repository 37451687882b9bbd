// Cold start of the npm package in Node: a fresh process imports the Node entry (the wasm is instantiated on
// import), builds a client and makes its first call (`health`) against a dev backend, against the same first
// call with the global fetch and JSON.parse in an equally fresh process. Each side runs 15 times, alternating;
// prints the medians and their ratio as JSON.
//   node tests/bench/cold-start.mjs BACKEND_URL     (after pkg/build.sh; BACKEND_URL e.g. http://127.0.0.1:8000)
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const backend = process.argv[2];
if (!backend) throw new Error('usage: node tests/bench/cold-start.mjs BACKEND_URL');

// Each script prints the milliseconds from its first line to the end of the first call, then the import alone.
const sdk = `
const t0 = performance.now();
const { HeliumClient } = await import(${JSON.stringify(`${root}pkg/src/node.mjs`)});
const t1 = performance.now();
const client = new HeliumClient({ baseUrl: ${JSON.stringify(backend)} });
const health = await client.health();
if (health.status !== 'ok') throw new Error('unhealthy');
console.log(JSON.stringify({ total: performance.now() - t0, importMs: t1 - t0 }));
`;
const fetchOnly = `
const t0 = performance.now();
const response = await fetch(${JSON.stringify(`${backend}/api/health`)});
const health = JSON.parse(await response.text());
if (health.status !== 'ok') throw new Error('unhealthy');
console.log(JSON.stringify({ total: performance.now() - t0, importMs: 0 }));
`;
const run = (code) => JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' }));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ours = [];
const base = [];
const imports = [];
for (let i = 0; i < 15; i += 1) {
  const [a, b] = i % 2 ? [sdk, fetchOnly] : [fetchOnly, sdk];
  const first = run(a);
  const second = run(b);
  const [s, f] = a === sdk ? [first, second] : [second, first];
  ours.push(s.total);
  imports.push(s.importMs);
  base.push(f.total);
}
console.log(
  JSON.stringify(
    {
      sdk_import_init_first_call_ms: +median(ours).toFixed(1),
      sdk_import_and_init_ms: +median(imports).toFixed(1),
      fetch_first_call_ms: +median(base).toFixed(1),
      ratio: +(median(ours) / median(base)).toFixed(2),
      runs: ours.length,
    },
    null,
    2,
  ),
);
