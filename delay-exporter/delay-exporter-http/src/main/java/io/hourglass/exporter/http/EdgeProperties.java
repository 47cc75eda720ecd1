package io.hourglass.exporter.http;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

import java.time.Duration;

/**
 * Limits of the HTTP edge ({@code delay.exporter.http.*}): what one request, and all requests together, may cost the
 * server before the application has decided anything. See docs/security.md for the threat model behind each.
 *
 * @param maxBodyBytes        largest request body except a batch (a submit, a reschedule, a seed form): 413 beyond
 * @param maxBatchBodyBytes   largest body of {@code POST /api/v1/messages/batch}: 413 beyond
 * @param bodyReadTimeout     a body not fully received this long after the headers is answered 408 (a client
 *                            trickling bytes holds no request thread meanwhile: bodies are read asynchronously)
 * @param maxInFlightBytes    request bodies held in memory at once, from the first byte read to the answer; a request
 *                            that would take the total beyond is answered 503 {@code overloaded} with Retry-After.
 *                            Unset: an eighth of the maximum heap, at most 256 MB and at least the batch cap (a body
 *                            costs about three times its size on the heap while it is parsed and queued)
 * @param authFailureLimit    failed authentications one client address may make within {@code authFailureWindow};
 *                            beyond, every request of the address is answered 429 {@code auth-throttled}
 * @param authFailureWindow   the window of {@code authFailureLimit}, and how long an address stays throttled
 * @param authFailureAddresses client addresses tracked at once (a bounded map; the least recent are forgotten first)
 */
@ConfigurationProperties("delay.exporter.http")
public record EdgeProperties(
        @DefaultValue("1MB") DataSize maxBodyBytes,
        @DefaultValue("16MB") DataSize maxBatchBodyBytes,
        @DefaultValue("10s") Duration bodyReadTimeout,
        DataSize maxInFlightBytes,
        @DefaultValue("20") int authFailureLimit,
        @DefaultValue("10s") Duration authFailureWindow,
        @DefaultValue("100000") long authFailureAddresses) {

    public EdgeProperties {
        positive("delay.exporter.http.max-body-bytes", maxBodyBytes.toBytes());
        positive("delay.exporter.http.max-batch-body-bytes", maxBatchBodyBytes.toBytes());
        positive("delay.exporter.http.body-read-timeout", bodyReadTimeout.toMillis());
        if (maxInFlightBytes != null) {
            positive("delay.exporter.http.max-in-flight-bytes", maxInFlightBytes.toBytes());
        }
        positive("delay.exporter.http.auth-failure-limit", authFailureLimit);
        positive("delay.exporter.http.auth-failure-window", authFailureWindow.toMillis());
        positive("delay.exporter.http.auth-failure-addresses", authFailureAddresses);
        if (maxInFlightBytes != null && maxInFlightBytes.toBytes() < maxBatchBodyBytes.toBytes()) {
            throw new IllegalArgumentException("delay.exporter.http.max-in-flight-bytes (" + maxInFlightBytes
                    + ") must be at least delay.exporter.http.max-batch-body-bytes (" + maxBatchBodyBytes + ")");
        }
    }

    /** The budget in force: the configured one, or the default for this JVM's heap (see {@code maxInFlightBytes}). */
    public long inFlightBudget() {
        if (maxInFlightBytes != null) {
            return maxInFlightBytes.toBytes();
        }
        long heapEighth = Runtime.getRuntime().maxMemory() / 8;
        return Math.max(maxBatchBodyBytes.toBytes(), Math.min(DEFAULT_MAX_IN_FLIGHT, heapEighth));
    }

    static final long DEFAULT_MAX_IN_FLIGHT = 256L * 1024 * 1024;

    private static void positive(String key, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(key + " must be > 0, was " + value);
        }
    }
}
