/**
 * The public data transfer objects of the Hourglass API: what the REST exporter reads and writes and what the
 * client SDKs send and receive.
 *
 * <p>Wire conventions, shared by every record here:
 * <ul>
 *   <li>message ids are opaque strings (they are 64-bit numbers inside, but a JSON number would lose precision in
 *       JavaScript clients);</li>
 *   <li>times are epoch milliseconds (UTC) as JSON numbers; durations are milliseconds as JSON numbers;</li>
 *   <li>states are the upper-case names {@code SCHEDULED}, {@code FIRING}, {@code DELIVERED}, {@code CANCELLED},
 *       {@code DEAD}, carried as strings so that a client keeps working when a server adds a state;</li>
 *   <li>unknown JSON properties are ignored when reading, so servers and clients can evolve independently;</li>
 *   <li>errors are RFC 9457 problem details ({@link io.hourglass.client.api.Problem}).</li>
 * </ul>
 * Plain Java records; the only dependency is {@code jackson-annotations}. The RPC API's IDL and its generated
 * protobuf messages are in {@link io.hourglass.client.api.rpc} (they need the optional {@code protobuf-java}).
 */
package io.hourglass.client.api;
