import { loadScenario } from './src/scenario/load';
import { scenarioObjects } from './src/scenario/manifests';
import { inventoryFromObjects } from './src/engine/inventory';
import { Engine } from './src/engine/simulate';
const s = loadScenario('generated', { services: 1000, namespaces: 10 });
const inv = inventoryFromObjects(scenarioObjects(s));
const e = new Engine(s, inv, { seed: 7 });
let t = performance.now();
for (let i = 0; i < 50; i++) e.tick(i * 200, 200);
console.log('warmup 10s in ms', (performance.now() - t).toFixed(0));
const calls0 = e.stats.calls;
t = performance.now();
const c0 = process.cpuUsage();
for (let i = 50; i < 150; i++) e.tick(i * 200, 200);
const cpu = process.cpuUsage(c0);
const calls = e.stats.calls - calls0;
console.log(
  '20s simulated: wall ms',
  (performance.now() - t).toFixed(0),
  'cpu ms',
  ((cpu.user + cpu.system) / 1000).toFixed(0),
  'calls/s',
  calls / 20,
  'us/call',
  (((performance.now() - t) * 1000) / calls).toFixed(1),
);
