import './sim/quiet.js';
import { MemoryCloud } from './sim/aws/cloud.js';
import { buildWorld } from './sim/pipeline.js';
const [seed, days, from, to, grep] = process.argv.slice(2);
const original = MemoryCloud.prototype.dynamodb;
let worldRef: any;
MemoryCloud.prototype.dynamodb = function (op: string, input: any) {
  const text = JSON.stringify(input);
  let result: any; let error: any;
  try { result = original.call(this, op, input); } catch (e) { error = e; }
  if (worldRef && grep && text.includes(grep)) worldRef.trace.push(`${new Date(worldRef.time.now()).toISOString()} DDB ${op} ${text.slice(0, 250)} -> ${error ? error.name : 'ok'}`);
  if (error) throw error; return result;
};
const world = await buildWorld({ seed: Number(seed), days: Number(days), assignmentsPerDay: 12 });
worldRef = world;
await world.run(() => world.refresh());
for (const line of world.trace) if (line >= from && line <= to) console.log(line.slice(0, 400));
