package io.hourglass.client.api;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetryPolicyTest {

    private static final Duration MS_100 = Duration.ofMillis(100);
    private static final Duration S_2 = Duration.ofSeconds(2);

    @Test
    void backoffDoublesPerRetryUpToTheCapWithJitterInTheUpperHalf() {
        RetryPolicy lowest = new RetryPolicy(10, MS_100, S_2, () -> 0.0);
        RetryPolicy highest = new RetryPolicy(10, MS_100, S_2, () -> 0.999_999);

        assertThat(lowest.backoff(1)).isEqualTo(Duration.ofMillis(50));
        assertThat(highest.backoff(1)).isEqualTo(MS_100);
        assertThat(highest.backoff(2)).isEqualTo(Duration.ofMillis(200));
        assertThat(lowest.backoff(3)).isEqualTo(Duration.ofMillis(200));
        assertThat(highest.backoff(6)).isEqualTo(S_2);
        assertThat(highest.backoff(40)).as("no overflow far out").isEqualTo(S_2);
    }

    @Test
    void onlyRetryableFailuresAreRetriedAndOnlyMaxRetriesTimes() {
        RetryPolicy policy = new RetryPolicy(2, MS_100, S_2);
        DelayClientException unavailable = new ServiceUnavailableException("refused", null);
        DelayClientException invalid = DelayClientException.from(400, new Problem(null, null, 400, "bad", null, null));

        assertThat(policy.shouldRetry(0, unavailable)).isTrue();
        assertThat(policy.shouldRetry(1, unavailable)).isTrue();
        assertThat(policy.shouldRetry(2, unavailable)).isFalse();
        assertThat(policy.shouldRetry(0, invalid)).isFalse();
    }

    @Test
    void badSettingsAreRefused() {
        assertThatThrownBy(() -> new RetryPolicy(-1, MS_100, S_2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RetryPolicy(1, S_2, MS_100)).isInstanceOf(IllegalArgumentException.class);
    }
}
