package io.hourglass.core.engine;

import io.hourglass.core.error.AppDisabledException;
import io.hourglass.core.error.AuthenticationException;
import io.hourglass.core.model.App;
import io.hourglass.core.testing.InMemoryAppStore;
import io.hourglass.core.testing.ManualClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AppDirectoryTest {

    private final ManualClock clock = new ManualClock(1_000_000);
    private final InMemoryAppStore store = new InMemoryAppStore();
    private final AppDirectory apps = new AppDirectory(store, clock, new AppDirectory.Settings(3, Duration.ofSeconds(1)));

    @Test
    void unknownKeysAreNeverCachedAndCostNoMemory() {
        for (int i = 0; i < 1000; i++) {
            String key = "random-" + i;
            assertThatThrownBy(() -> apps.authenticate(key, "x")).isInstanceOf(AuthenticationException.class);
        }
        assertThat(apps.cachedCount()).isZero();
    }

    @Test
    void theCacheIsBoundedToItsMaximumSize() {
        for (int i = 0; i < 10; i++) {
            apps.ensureApp("app-" + i, "secret-" + i, Set.of("t"));
            apps.authenticate("app-" + i, "secret-" + i);
        }
        assertThat(apps.cachedCount()).isLessThanOrEqualTo(3);
    }

    @Test
    void keysLongerThanTheColumnAreRefusedWithoutAStoreLookup() {
        String longKey = "k".repeat(AppDirectory.MAX_APP_KEY_LENGTH + 1);
        int before = store.finds();
        assertThatThrownBy(() -> apps.authenticate(longKey, "s")).isInstanceOf(AuthenticationException.class);
        assertThat(store.finds()).isEqualTo(before);
    }

    @Test
    void aChangeInTheStoreIsSeenOnceTheTtlPassesEvenWithoutInvalidation() {
        apps.ensureApp("a", "s", Set.of("t"));
        App cached = apps.authenticate("a", "s");
        store.updateApp(cached.withEnabled(false).touched(clock.now()));

        assertThat(apps.requireEnabled("a")).isNotNull(); // still the cached copy
        clock.advance(1_001);
        assertThatThrownBy(() -> apps.requireEnabled("a")).isInstanceOf(AppDisabledException.class);
    }

    @Test
    void invalidateMakesAChangeVisibleAtOnce() {
        apps.ensureApp("a", "s", Set.of("t"));
        App cached = apps.authenticate("a", "s");
        store.updateApp(cached.withEnabled(false).touched(clock.now()));
        apps.invalidate("a");
        assertThatThrownBy(() -> apps.requireEnabled("a")).isInstanceOf(AppDisabledException.class);
    }

    @Test
    void aDisabledAppStillAuthenticatesButMayNotSubmit() {
        apps.ensureApp("a", "s", Set.of("t"));
        store.updateApp(store.findApp("a").orElseThrow().withEnabled(false).touched(clock.now()));
        apps.invalidate("a");
        assertThat(apps.authenticate("a", "s").enabled()).isFalse();
        assertThatThrownBy(() -> apps.requireEnabled("a")).isInstanceOf(AppDisabledException.class);
    }

    @Test
    void theOldSecretWorksUntilTheGraceEndsAndTheNewOneAtOnce() {
        apps.ensureApp("a", "old", Set.of("t"));
        App app = store.findApp("a").orElseThrow();
        long graceEnd = clock.now() + 60_000;
        store.updateApp(app.withRotatedSecret(AppDirectory.hashNew("new"), graceEnd).touched(clock.now()));
        apps.invalidate("a");

        assertThat(apps.authenticate("a", "new")).isNotNull();
        assertThat(apps.authenticate("a", "old")).isNotNull();
        clock.set(graceEnd - 1);
        assertThat(apps.authenticate("a", "old")).isNotNull();
        clock.set(graceEnd);
        assertThatThrownBy(() -> apps.authenticate("a", "old")).isInstanceOf(AuthenticationException.class);
        assertThat(apps.authenticate("a", "new")).isNotNull();
    }

    @Test
    void ensureAppNeverReEnablesAnAppAnOperatorDisabled() {
        apps.ensureApp("demo", "demo-secret", Set.of("demo"));
        store.updateApp(store.findApp("demo").orElseThrow().withEnabled(false).touched(clock.now()));
        apps.ensureApp("demo", "demo-secret", Set.of("demo"));
        assertThat(store.findApp("demo").orElseThrow().enabled()).isFalse();
    }

    @Test
    void generatedSecretsCarryAtLeast32RandomBytes() {
        String secret = AppDirectory.newSecret();
        assertThat(java.util.Base64.getUrlDecoder().decode(secret)).hasSizeGreaterThanOrEqualTo(32);
        assertThat(AppDirectory.newSecret()).isNotEqualTo(secret);
    }
}
