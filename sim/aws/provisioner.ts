/** The in-memory cloud provisioned as CloudFormation would: what local/deployment.ts asks for. */
import type { Provisioner } from '../../local/provisioner.js';
import type { MemoryCloud } from './cloud.js';

export const memoryProvisioner = (cloud: MemoryCloud): Provisioner => ({
  table: async (spec) => cloud.createTable(spec),
  queue: async (name, spec) => {
    const queue = cloud.createQueue(name, spec);
    return { url: queue.url, arn: queue.arn };
  },
  topic: async (name) => cloud.createTopic(name),
  subscribe: async (topicArn, subscription) => cloud.subscribe(topicArn, subscription),
  secret: async (name, value) => cloud.createSecret(name, value),
  parameter: async (name, value) => cloud.putParameter(name, value),
  bus: async (name) => cloud.createBus(name).arn,
  rule: async (busName, rule) => cloud.putRule(busName, rule),
});
