// Reads one record that Hourglass emitted, with kafkajs as a Node.js application would use it: default settings,
// no compression codec registered (kafkajs decodes gzip by itself; snappy, lz4 and zstd need plugins).
//
//   node kafka-read.js <bootstrap host:port> <topic> <x-delay-id>
//
// Prints the record as one line of JSON on stdout ({key, value, timestamp, headers}) and exits 0; exits 1 with
// the reason on stderr when the consumer fails (a batch it cannot decode, for one) or the record does not come
// within 30 s. kafkajs's own log goes to stderr.
'use strict';
const { Kafka, logLevel } = require('kafkajs');

const [bootstrap, topic, id] = process.argv.slice(2);
if (!bootstrap || !topic || !id) {
  console.error('usage: node kafka-read.js <bootstrap> <topic> <x-delay-id>');
  process.exit(64);
}

const kafka = new Kafka({
  clientId: 'hourglass-kafkajs-test',
  brokers: [bootstrap],
  logLevel: logLevel.WARN,
  logCreator: () => ({ namespace, label, log }) =>
    process.stderr.write(`kafkajs ${label} [${namespace}] ${log.message}\n`),
});
const consumer = kafka.consumer({ groupId: `hourglass-kafkajs-${process.pid}-${Date.now()}` });

function fail(message) {
  console.error(message);
  process.exit(1);
}

const deadline = setTimeout(() => fail(`no record with x-delay-id ${id} on ${topic} within 30 s`), 30_000);

consumer.on(consumer.events.CRASH, (event) => fail(`kafkajs consumer crashed: ${event.payload.error}`));

async function main() {
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const headers = {};
      for (const [name, value] of Object.entries(message.headers || {})) {
        headers[name] = Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
      }
      if (headers['x-delay-id'] !== id) {
        return;
      }
      clearTimeout(deadline);
      process.stdout.write(JSON.stringify({
        key: message.key === null ? null : message.key.toString('utf8'),
        value: message.value.toString('utf8'),
        timestamp: Number(message.timestamp),
        headers,
      }) + '\n');
      // leave without waiting for the group to settle: the answer is out
      consumer.disconnect().finally(() => process.exit(0));
    },
  });
}

main().catch((e) => fail(`kafkajs: ${e.stack || e}`));
