/**
 * The RPC API, {@code hourglass.delay.v1.MessageService}: the protobuf messages generated from
 * {@code hourglass/delay/v1/message_service.proto} (packaged in this jar) and {@link
 * io.hourglass.client.api.rpc.RpcConventions} (metadata names, the problem trailer, conversions to the DTOs).
 * The Dubbo Triple stubs of the service ({@code MessageService}, {@code DubboMessageServiceTriple}) are generated into
 * this package by {@code delay-client-dubbo}, which has Dubbo; a grpc-java client generates {@code MessageServiceGrpc}
 * here from the same file. Needs {@code protobuf-java}, an optional dependency of this module.
 */
package io.hourglass.client.api.rpc;
