package io.hourglass.client.api;

import java.time.Duration;
import java.util.Objects;

/**
 * The settings every {@link DelayClient} transport takes, with their defaults: the app's credentials, the timeouts
 * and the retry policy. A transport's builder extends it and adds where the server is.
 *
 * @param <B> the transport's builder, returned by every setter
 */
public abstract class DelayClientBuilder<B extends DelayClientBuilder<B>> {

    private String appKey;
    private String appSecret;
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration requestTimeout = Duration.ofSeconds(30);
    private int maxRetries = 3;
    private Duration initialBackoff = Duration.ofMillis(100);
    private Duration maxBackoff = Duration.ofSeconds(2);

    protected DelayClientBuilder() {
    }

    /** The app; required. */
    public B appKey(String appKey) {
        this.appKey = appKey;
        return self();
    }

    /** The app's secret; required. */
    public B appSecret(String appSecret) {
        this.appSecret = appSecret;
        return self();
    }

    /** How long to wait for a connection (default 5 s). */
    public B connectTimeout(Duration connectTimeout) {
        this.connectTimeout = positive(connectTimeout, "connectTimeout");
        return self();
    }

    /** How long to wait for the answer of one attempt (default 30 s). */
    public B requestTimeout(Duration requestTimeout) {
        this.requestTimeout = positive(requestTimeout, "requestTimeout");
        return self();
    }

    /** Retries after the first attempt, of retryable failures only (default 3; 0 = never retry). */
    public B maxRetries(int maxRetries) {
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must be >= 0, was " + maxRetries);
        }
        this.maxRetries = maxRetries;
        return self();
    }

    /** The wait before the first retry, doubled for each further one (default 100 ms), with jitter. */
    public B initialBackoff(Duration initialBackoff) {
        this.initialBackoff = Objects.requireNonNull(initialBackoff, "initialBackoff");
        return self();
    }

    /** The cap of the wait between two retries (default 2 s). */
    public B maxBackoff(Duration maxBackoff) {
        this.maxBackoff = Objects.requireNonNull(maxBackoff, "maxBackoff");
        return self();
    }

    // ---------------------------------------------------------------- read by the transports when they build

    /** @throws NullPointerException when the app key is missing */
    public String appKey() {
        return Objects.requireNonNull(appKey, "appKey");
    }

    /** @throws NullPointerException when the app secret is missing */
    public String appSecret() {
        return Objects.requireNonNull(appSecret, "appSecret");
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public Duration requestTimeout() {
        return requestTimeout;
    }

    /** @throws IllegalArgumentException when {@code maxBackoff < initialBackoff} */
    public RetryPolicy retryPolicy() {
        return new RetryPolicy(maxRetries, initialBackoff, maxBackoff);
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    private static Duration positive(Duration d, String name) {
        if (d == null || d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
        return d;
    }
}
