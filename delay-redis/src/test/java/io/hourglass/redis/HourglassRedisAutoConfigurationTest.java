package io.hourglass.redis;

import io.hourglass.core.spi.AppChangeBus;
import io.hourglass.core.spi.ClusterJobLock;
import io.hourglass.core.spi.SubmitRateLimiter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.hourglass.testsupport.RequiresService;
import io.hourglass.testsupport.TestService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.redisson.api.RedissonClient;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The auto-configuration: off unless enabled, three ports on one client, user beans win, bad settings name the key. */
@Timeout(60)
class HourglassRedisAutoConfigurationTest {

    @Configuration(proxyBeanMethods = false)
    static class UserPorts {
        static final SubmitRateLimiter LIMITER = (app, perSecond, permits) -> 0;
        static final AppChangeBus BUS = AppChangeBus.local();
        static final ClusterJobLock LOCK = job -> Optional.empty();

        @Bean
        SubmitRateLimiter myLimiter() {
            return LIMITER;
        }

        @Bean
        AppChangeBus myBus() {
            return BUS;
        }

        @Bean
        ClusterJobLock myLock() {
            return LOCK;
        }
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(HourglassRedisAutoConfiguration.class))
            .withBean(MeterRegistry.class, SimpleMeterRegistry::new);

    @Test
    void withoutTheFlagThereIsNoRedisAtAll() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(RedissonClient.class);
            assertThat(context).doesNotHaveBean(SubmitRateLimiter.class);
            assertThat(context).doesNotHaveBean(AppChangeBus.class);
            assertThat(context).doesNotHaveBean(ClusterJobLock.class);
        });
        runner.withPropertyValues("delay.redis.enabled=false", "delay.redis.address=not a url")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(RedissonClient.class));
    }

    @Test
    @RequiresService(TestService.REDIS)
    void enabledGivesTheThreePortsOnOneClient() {
        runner.withPropertyValues("delay.redis.enabled=true", "delay.redis.address=" + RedisTestServer.address())
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).hasSingleBean(RedissonClient.class);
                    assertThat(context.getBean(SubmitRateLimiter.class)).isInstanceOf(RedisSubmitRateLimiter.class);
                    assertThat(context.getBean(AppChangeBus.class)).isInstanceOf(RedisAppChangeBus.class);
                    assertThat(context.getBean(ClusterJobLock.class)).isInstanceOf(RedisClusterJobLock.class);
                    assertThat(context.getBean(HourglassRedisProperties.class).keyPrefix()).isEqualTo("hourglass");
                    // the client works, and is shut down with the context
                    assertThat(context.getBean(RedissonClient.class).getBucket("hourglass:test:ping").isExists())
                            .isFalse();
                });
    }

    @Test
    void defaultsAreTheLocalRedisAndTheHourglassPrefix() {
        HourglassRedisProperties p = new Binder(new MapConfigurationPropertySource(Map.of("delay.redis.enabled", "true")))
                .bindOrCreate("delay.redis", HourglassRedisProperties.class);
        assertThat(p.address()).isEqualTo("redis://127.0.0.1:6379");
        assertThat(p.password()).isEmpty();
        assertThat(p.database()).isZero();
        assertThat(p.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(p.timeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(p.rateLimiterPrefix()).isEqualTo("hourglass:rate:");
        assertThat(p.appChangesTopic()).isEqualTo("hourglass:app-changes");
        assertThat(p.jobLockPrefix()).isEqualTo("hourglass:job:");
    }

    @Test
    @RequiresService(TestService.REDIS)
    void theApplicationsOwnPortsWin() {
        runner.withUserConfiguration(UserPorts.class)
                .withPropertyValues("delay.redis.enabled=true", "delay.redis.address=" + RedisTestServer.address())
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(SubmitRateLimiter.class)).isSameAs(UserPorts.LIMITER);
                    assertThat(context.getBean(AppChangeBus.class)).isSameAs(UserPorts.BUS);
                    assertThat(context.getBean(ClusterJobLock.class)).isSameAs(UserPorts.LOCK);
                });
    }

    @Test
    @RequiresService(TestService.REDIS)
    void theApplicationsOwnClientIsUsed() {
        RedissonClient mine = RedisTestServer.client();
        try {
            runner.withBean(RedissonClient.class, () -> mine)
                    .withPropertyValues("delay.redis.enabled=true", "delay.redis.address=redis://127.0.0.1:1")
                    .run(context -> {
                        assertThat(context).hasNotFailed();
                        assertThat(context.getBean(RedissonClient.class)).isSameAs(mine);
                        assertThat(context).hasSingleBean(ClusterJobLock.class);
                    });
        } finally {
            mine.shutdown();
        }
    }

    @Test
    void anUnreachableRedisFailsTheStartNamingTheKey() throws IOException {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort(); // free once closed: nothing listens there
        }
        runner.withPropertyValues("delay.redis.enabled=true", "delay.redis.address=redis://127.0.0.1:" + deadPort,
                "delay.redis.connect-timeout=1s").run(context -> {
            assertThat(context).hasFailed();
            assertThat(failure(context)).contains("delay.redis.address").contains("redis://127.0.0.1:" + deadPort);
        });
    }

    @Test
    void aMalformedAddressFailsTheStartNamingTheKey() {
        runner.withPropertyValues("delay.redis.enabled=true", "delay.redis.address=127.0.0.1:6379").run(context -> {
            assertThat(context).hasFailed();
            assertThat(failure(context)).contains("delay.redis.address");
        });
    }

    @Test
    void aBadKeyPrefixOrTimeoutFailsTheStartNamingTheKey() {
        runner.withPropertyValues("delay.redis.enabled=true", "delay.redis.key-prefix=has space")
                .run(context -> assertThat(failure(context)).contains("delay.redis.key-prefix"));
        runner.withPropertyValues("delay.redis.enabled=true", "delay.redis.timeout=0s")
                .run(context -> assertThat(failure(context)).contains("delay.redis.timeout"));
    }

    private static String failure(AssertableApplicationContext context) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = context.getStartupFailure(); t != null; t = t.getCause()) {
            all.append(t.getMessage()).append('\n');
        }
        return all.toString();
    }
}
