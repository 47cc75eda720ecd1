// Calls one method of hourglass.delay.v1.MessageService with @grpc/grpc-js, as a Node.js application would: the
// service loaded from our .proto by @grpc/proto-loader, a plaintext channel, default settings.
//
//   node grpc-call.js <host:port> <message_service.proto> <Method> <request as JSON> <app key> <app secret>
//
// Prints one line of JSON on stdout and exits 0 once the call has a status: {"response": {...}} when it succeeded,
// {"code": <gRPC status code>, "details": <the status message as the client reads it>, "problem": {...}} when it
// failed (a server that cannot be reached gives grpc-js's own UNAVAILABLE), the problem being the trailer
// hourglass-problem-bin decoded with protobufjs, or null when absent. 64: a bad command line.
'use strict';
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const protobuf = require('protobufjs');

const [address, protoFile, method, requestJson, appKey, appSecret] = process.argv.slice(2);
if (!address || !protoFile || !method || !requestJson || !appKey || !appSecret) {
  console.error('usage: node grpc-call.js <host:port> <proto file> <Method> <request JSON> <app key> <app secret>');
  process.exit(64);
}

const PROTO_OPTIONS = { keepCase: true, longs: String, enums: String, defaults: false, oneofs: true };
const definition = protoLoader.loadSync(protoFile, PROTO_OPTIONS);
const MessageService = grpc.loadPackageDefinition(definition).hourglass.delay.v1.MessageService;
const Problem = protobuf.loadSync(protoFile).lookupType('hourglass.delay.v1.Problem');

const client = new MessageService(address, grpc.credentials.createInsecure());
const metadata = new grpc.Metadata();
metadata.set('x-app-key', appKey);
metadata.set('x-app-secret', appSecret);
const stub = client[method.charAt(0).toLowerCase() + method.slice(1)];
if (typeof stub !== 'function') {
  console.error(`no method ${method} in ${protoFile}`);
  process.exit(64);
}

const deadline = new Date(Date.now() + 10_000);
stub.call(client, JSON.parse(requestJson), metadata, { deadline }, (err, response) => {
  let answer;
  if (err) {
    const trailer = err.metadata ? err.metadata.get('hourglass-problem-bin') : [];
    answer = {
      code: err.code,
      details: err.details,
      problem: trailer.length ? Problem.toObject(Problem.decode(trailer[0]), PROTO_OPTIONS) : null,
    };
  } else {
    answer = { response };
  }
  process.stdout.write(JSON.stringify(answer) + '\n');
  client.close();
  process.exit(0);
});
