package io.hourglass.bootstrap.config;

import io.hourglass.core.engine.EngineSettings;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code delay.core.*} binds onto the engine's one definition of its settings. */
class DelayCorePropertiesTest {

    private static EngineSettings bind(Map<String, String> keys) {
        return new Binder(new MapConfigurationPropertySource(keys))
                .bindOrCreate("delay.core", DelayCoreProperties.class).toSettings();
    }

    @Test
    void anEmptyEnvironmentBindsToTheEnginesDefaults() {
        assertThat(bind(Map.of())).isEqualTo(EngineSettings.defaults());
    }

    @Test
    void everyKeyReachesItsSettingAndNoOther() {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("delay.core.within", "7m");
        keys.put("delay.core.max-delay", "3d");
        keys.put("delay.core.past-tolerance", "11s");
        keys.put("delay.core.max-payload-bytes", "1234");
        keys.put("delay.core.min-repeat-interval", "2s");
        keys.put("delay.core.max-attempts", "9");
        keys.put("delay.core.retry-initial-backoff", "3s");
        keys.put("delay.core.retry-max-backoff", "4m");
        keys.put("delay.core.preload-interval", "250ms");
        keys.put("delay.core.preload-batch-size", "321");
        keys.put("delay.core.max-in-memory", "4321");
        keys.put("delay.core.sweep-interval", "12s");
        keys.put("delay.core.sweep-grace", "13s");
        keys.put("delay.core.claim-timeout", "14s");
        keys.put("delay.core.fire-batch-size", "77");
        keys.put("delay.core.fire-threads", "3");
        keys.put("delay.core.late-threshold", "15ms");
        keys.put("delay.core.write-batch-size", "88");
        keys.put("delay.core.write-queue-capacity", "999");
        keys.put("delay.core.max-queued-bytes", "2MB");
        keys.put("delay.core.max-write-wait", "6s");
        keys.put("delay.core.write-threads", "5");

        EngineSettings s = bind(keys);

        assertThat(s.limits()).isEqualTo(new EngineSettings.Limits(Duration.ofDays(3), Duration.ofSeconds(11), 1234,
                Duration.ofSeconds(2)));
        assertThat(s.writes()).isEqualTo(new EngineSettings.Writes(88, 999, 2 * 1024 * 1024, Duration.ofSeconds(6), 5));
        assertThat(s.preload()).isEqualTo(new EngineSettings.Preload(Duration.ofMinutes(7), Duration.ofMillis(250), 321,
                4321));
        assertThat(s.firing()).isEqualTo(new EngineSettings.Firing(77, 3, Duration.ofMillis(15)));
        assertThat(s.retry()).isEqualTo(new EngineSettings.Retry(9, Duration.ofSeconds(3), Duration.ofMinutes(4)));
        assertThat(s.sweep()).isEqualTo(new EngineSettings.Sweep(Duration.ofSeconds(12), Duration.ofSeconds(13),
                Duration.ofSeconds(14)));
    }
}
