package io.hourglass.client.autoconfigure;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

/**
 * The {@code DelayClient} of an application ({@code hourglass.client.*}). Checked when bound: a missing or
 * contradictory setting stops the application with a message naming the key.
 *
 * @param transport       {@code http} (the REST API; the default) or {@code dubbo} (the RPC API over Dubbo Triple;
 *                        needs {@code delay-client-dubbo} on the class path)
 * @param baseUrl         {@code http}: the server or its load balancer, such as {@code http://localhost:8080}
 * @param address         {@code dubbo}: one server or a gRPC-aware load balancer, {@code tri://host:50051}
 * @param registryAddress {@code dubbo}, instead of {@code address}: the ZooKeeper registry the servers register in,
 *                        such as {@code zookeeper://zk1:2181}
 * @param appKey          the app (sent as {@code X-App-Key} / {@code x-app-key})
 * @param appSecret       the app's secret
 * @param connectTimeout  how long to wait for a connection
 * @param requestTimeout  how long to wait for the answer of one attempt
 * @param maxRetries      retries of a call that got no answer or a 503 / UNAVAILABLE (0 = none); submits are
 *                        retried under one idempotency key, so a retry never stores twice
 * @param initialBackoff  the wait before the first retry, doubled for each further one (with jitter)
 * @param maxBackoff      the cap of the wait between two retries
 */
@ConfigurationProperties(DelayClientProperties.PREFIX)
public record DelayClientProperties(
        @DefaultValue("http") Transport transport,
        String baseUrl,
        String address,
        String registryAddress,
        String appKey,
        String appSecret,
        @DefaultValue("5s") Duration connectTimeout,
        @DefaultValue("30s") Duration requestTimeout,
        @DefaultValue("3") int maxRetries,
        @DefaultValue("100ms") Duration initialBackoff,
        @DefaultValue("2s") Duration maxBackoff) {

    public static final String PREFIX = "hourglass.client";

    /** How the client reaches the server. */
    public enum Transport {
        /** The REST API, {@code HttpDelayClient}. */
        HTTP,
        /** The RPC API over Dubbo Triple, {@code DubboDelayClient}. */
        DUBBO
    }

    public DelayClientProperties {
        require(blank(appKey), "app-key", "is required");
        require(blank(appSecret), "app-secret", "is required");
        if (transport == Transport.HTTP) {
            require(blank(baseUrl), "base-url", "is required with transport=http (such as http://localhost:8080)");
        } else {
            require(blank(address) == blank(registryAddress), "address",
                    "or " + PREFIX + ".registry-address (exactly one) is required with transport=dubbo");
        }
        require(!positive(connectTimeout), "connect-timeout", "must be positive");
        require(!positive(requestTimeout), "request-timeout", "must be positive");
        require(maxRetries < 0, "max-retries", "must be 0 or more");
        require(initialBackoff == null || initialBackoff.isNegative(), "initial-backoff", "must be 0 or more");
        require(maxBackoff == null || maxBackoff.compareTo(initialBackoff) < 0, "max-backoff",
                "must be at least " + PREFIX + ".initial-backoff");
    }

    private static void require(boolean violated, String key, String reason) {
        if (violated) {
            throw new IllegalArgumentException(PREFIX + "." + key + " " + reason);
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static boolean positive(Duration d) {
        return d != null && !d.isZero() && !d.isNegative();
    }
}
