package io.hourglass.core.engine;

import io.hourglass.core.error.QuotaExceededException;
import io.hourglass.core.model.App;
import io.hourglass.core.model.AppQuotas;
import io.hourglass.core.testing.InMemoryMessageStore;
import io.hourglass.core.testing.ManualClock;
import org.junit.jupiter.api.Test;

import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class QuotaGuardTest {

    private final ManualClock clock = new ManualClock(5_000_000);
    private final QuotaGuard guard = new QuotaGuard(new InMemoryMessageStore(), new LocalSubmitRateLimiter(clock), clock);

    private static App app(AppQuotas quotas) {
        return App.create("a", AppDirectory.hashNew("s"), 0).withQuotas(quotas);
    }

    private static SubmitCommand cmd(String payload, Long repeat) {
        return new SubmitCommand("t", null, payload, Map.of(), 1000L, null, repeat);
    }

    @Test
    void theRateQuotaAdmitsOneSecondsWorthThenRefusesWithRetryAfter() {
        App a = app(new AppQuotas(10, 0, 0, 0));
        for (int i = 0; i < 10; i++) {
            guard.check(a, List.of(cmd("p", null)));
        }
        assertThatThrownBy(() -> guard.check(a, List.of(cmd("p", null))))
                .isInstanceOfSatisfying(QuotaExceededException.class, e -> {
                    assertThat(e.quota()).isEqualTo("submits-per-second");
                    assertThat(e.retryAfterSeconds()).isGreaterThanOrEqualTo(1);
                });
        clock.advance(100); // 10/s refills one token per 100 ms
        guard.check(a, List.of(cmd("p", null)));
    }

    @Test
    void aBatchOverTheRateIsRefusedWhole() {
        App a = app(new AppQuotas(5, 0, 0, 0));
        assertThatThrownBy(() -> guard.check(a, Collections.nCopies(6, cmd("p", null))))
                .isInstanceOf(QuotaExceededException.class);
        guard.check(a, Collections.nCopies(5, cmd("p", null))); // the refused batch took no tokens
    }

    @Test
    void payloadAndRepeatQuotasAreCheckedPerMessage() {
        App a = app(new AppQuotas(0, 0, 4, 2_000));
        guard.check(a, List.of(cmd("1234", 2_000L)));
        assertThatThrownBy(() -> guard.check(a, List.of(cmd("12345", null))))
                .isInstanceOfSatisfying(QuotaExceededException.class, e -> assertThat(e.quota()).isEqualTo("max-payload-bytes"));
        assertThatThrownBy(() -> guard.check(a, List.of(cmd("1", 1_999L))))
                .isInstanceOfSatisfying(QuotaExceededException.class, e -> assertThat(e.quota()).isEqualTo("min-repeat-interval-ms"));
    }

    @Test
    void pendingCountsWhatThisServerAcceptedSinceTheStoreWasRead() {
        App a = app(new AppQuotas(0, 3, 0, 0));
        guard.check(a, List.of(cmd("p", null), cmd("p", null)));
        assertThatThrownBy(() -> guard.check(a, List.of(cmd("p", null), cmd("p", null))))
                .isInstanceOfSatisfying(QuotaExceededException.class, e -> assertThat(e.quota()).isEqualTo("max-pending"));
        guard.check(a, List.of(cmd("p", null)));
    }

    @Test
    void anAppWithoutQuotasIsNeverLimited() {
        App a = app(AppQuotas.NONE);
        guard.check(a, Collections.nCopies(100_000, cmd("p", 1L)));
    }
}
