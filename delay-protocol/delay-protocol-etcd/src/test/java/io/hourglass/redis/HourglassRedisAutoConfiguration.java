package io.hourglass.redis;

import io.hourglass.core.spi.AppChangeBus;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Test stand-in for the Redis module's auto-configuration (same name, which the coordinator's app change bus
 * auto-configuration is ordered after): it declares an {@link AppChangeBus} unconditionally, as the Redis profile does.
 */
@AutoConfiguration
public class HourglassRedisAutoConfiguration {

    /** The bus this stand-in declares. */
    public static final class RedisBus implements AppChangeBus {
        @Override
        public void publish(String appKey) {
        }

        @Override
        public void subscribe(java.util.function.Consumer<String> listener) {
        }
    }

    @Bean
    public AppChangeBus redisAppChangeBus() {
        return new RedisBus();
    }
}
