package io.hourglass.client.http;

import io.hourglass.client.api.DelayClientException;
import io.hourglass.client.api.InvalidStateException;
import io.hourglass.client.api.Problem;
import io.hourglass.client.api.ServiceUnavailableException;
import io.hourglass.client.api.ValidationFailedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(5)
class RetryPolicyTest {

    private static final ServiceUnavailableException NO_ANSWER = new ServiceUnavailableException("refused", new IOException());

    private static RetryPolicy policy(double random) {
        return new RetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(2), () -> random);
    }

    @Test
    void backoffDoublesWithEachRetryAtTheTopOfTheJitter() {
        RetryPolicy p = policy(0.999_999);
        assertThat(p.backoff(1)).isEqualTo(Duration.ofMillis(100));
        assertThat(p.backoff(2)).isEqualTo(Duration.ofMillis(200));
        assertThat(p.backoff(3)).isEqualTo(Duration.ofMillis(400));
        assertThat(p.backoff(4)).isEqualTo(Duration.ofMillis(800));
    }

    @Test
    void jitterNeverWaitsLessThanHalfTheBackoff() {
        RetryPolicy p = policy(0.0);
        assertThat(p.backoff(1)).isEqualTo(Duration.ofMillis(50));
        assertThat(p.backoff(3)).isEqualTo(Duration.ofMillis(200));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 5, 8, 20})
    void realJitterStaysWithinHalfAndFullBackoff(int retry) {
        RetryPolicy p = new RetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(2));
        long full = Math.min(2_000, 100L << (retry - 1));
        for (int i = 0; i < 1_000; i++) {
            assertThat(p.backoff(retry).toMillis()).isBetween(full / 2, full);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {6, 31, 62, 1_000, Integer.MAX_VALUE})
    void backoffIsCappedAtTheMaximumAndNeverOverflows(int retry) {
        assertThat(policy(0.999_999).backoff(retry)).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void retriesNoAnswerAnd503UpToMaxRetries() {
        RetryPolicy p = policy(0.5);
        ServiceUnavailableException overloaded = new ServiceUnavailableException(problem(503));
        assertThat(p.shouldRetry(0, NO_ANSWER)).isTrue();
        assertThat(p.shouldRetry(2, overloaded)).isTrue();
        assertThat(p.shouldRetry(3, NO_ANSWER)).isFalse();
    }

    @Test
    void neverRetriesAnAnswerThatWillNotChange() {
        RetryPolicy p = policy(0.5);
        assertThat(p.shouldRetry(0, new ValidationFailedException(problem(400)))).isFalse();
        assertThat(p.shouldRetry(0, new InvalidStateException(problem(409)))).isFalse();
        assertThat(p.shouldRetry(0, new DelayClientException(problem(500)))).isFalse();
    }

    @Test
    void zeroRetriesMeansOneAttempt() {
        RetryPolicy p = new RetryPolicy(0, Duration.ofMillis(100), Duration.ofSeconds(2));
        assertThat(p.shouldRetry(0, NO_ANSWER)).isFalse();
    }

    @Test
    void rejectsNonsenseSettings() {
        assertThatThrownBy(() -> new RetryPolicy(-1, Duration.ZERO, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RetryPolicy(1, Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> policy(0).backoff(0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static Problem problem(int status) {
        return new Problem(Problem.TYPE_PREFIX + "x", "x", status, "x", null, null);
    }
}
