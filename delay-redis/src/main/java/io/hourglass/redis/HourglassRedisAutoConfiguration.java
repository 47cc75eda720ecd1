package io.hourglass.redis;

import io.hourglass.core.clock.DelayClock;
import io.hourglass.core.engine.LocalSubmitRateLimiter;
import io.hourglass.core.spi.AppChangeBus;
import io.hourglass.core.spi.ClusterJobLock;
import io.hourglass.core.spi.SubmitRateLimiter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * {@code delay.redis.enabled=true} (profile {@code redis}): the cluster-wide submit-rate quota, app-change bus and
 * job lock on Redis, through one Redisson client. Each bean backs off when the application declares its own of the
 * same type (its own {@link RedissonClient} included). The client connects at start: an unreachable server fails the
 * start, naming {@code delay.redis.address}. Named so as not to clash with Spring Boot's {@code RedisAutoConfiguration}
 * (Spring Data Redis), which Hourglass does not use.
 */
@AutoConfiguration
@ConditionalOnClass(RedissonClient.class)
@ConditionalOnProperty(name = "delay.redis.enabled", havingValue = "true")
@EnableConfigurationProperties(HourglassRedisProperties.class)
public class HourglassRedisAutoConfiguration {

    @Bean(destroyMethod = "shutdown")
    @ConditionalOnMissingBean(RedissonClient.class)
    public RedissonClient hourglassRedissonClient(HourglassRedisProperties properties) {
        Config config = new Config();
        config.useSingleServer()
                .setAddress(properties.address())
                .setPassword(properties.password().isEmpty() ? null : properties.password())
                .setDatabase(properties.database())
                .setConnectTimeout(millis(properties.connectTimeout()))
                .setTimeout(millis(properties.timeout()));
        try {
            return Redisson.create(config);
        } catch (RuntimeException e) {
            throw new IllegalStateException("Cannot connect to Redis at " + properties.address()
                    + " (delay.redis.address, profile redis): " + reason(e)
                    + ". Start Redis there, correct delay.redis.address / delay.redis.password,"
                    + " or run without Redis (delay.redis.enabled=false).", e);
        }
    }

    /** The messages of the cause chain without the wrappers: "Unable to connect ...: Connection refused". */
    private static String reason(Throwable e) {
        StringBuilder reason = new StringBuilder();
        for (Throwable t = e; t != null && t != t.getCause(); t = t.getCause()) {
            Throwable cause = t.getCause();
            if (t instanceof ExecutionException || t instanceof CompletionException || t.getMessage() == null
                    || cause != null && cause.getMessage() != null && t.getMessage().contains(cause.getMessage())) {
                continue; // a wrapper, or a message that only repeats its cause's
            }
            reason.append(reason.isEmpty() ? "" : ": ").append(t.getMessage());
        }
        return reason.isEmpty() ? e.toString() : reason.toString();
    }

    @Bean
    @ConditionalOnMissingBean(SubmitRateLimiter.class)
    public RedisSubmitRateLimiter redisSubmitRateLimiter(RedissonClient redisson, HourglassRedisProperties properties,
                                                         ObjectProvider<DelayClock> clock,
                                                         ObjectProvider<MeterRegistry> registry) {
        DelayClock time = clock.getIfAvailable(DelayClock::system);
        return new RedisSubmitRateLimiter(redisson, properties.rateLimiterPrefix(), properties.timeout(),
                new LocalSubmitRateLimiter(time), time, registry.getIfAvailable(() -> Metrics.globalRegistry));
    }

    @Bean
    @ConditionalOnMissingBean(AppChangeBus.class)
    public RedisAppChangeBus redisAppChangeBus(RedissonClient redisson, HourglassRedisProperties properties) {
        return new RedisAppChangeBus(redisson, properties.appChangesTopic(), properties.timeout());
    }

    @Bean
    @ConditionalOnMissingBean(ClusterJobLock.class)
    public RedisClusterJobLock redisClusterJobLock(RedissonClient redisson, HourglassRedisProperties properties) {
        return new RedisClusterJobLock(redisson, properties.jobLockPrefix());
    }

    private static int millis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
    }
}
