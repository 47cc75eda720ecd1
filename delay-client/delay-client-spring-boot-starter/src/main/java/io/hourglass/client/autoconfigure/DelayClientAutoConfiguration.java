package io.hourglass.client.autoconfigure;

import io.hourglass.client.api.DelayClient;
import io.hourglass.client.api.DelayClientBuilder;
import io.hourglass.client.dubbo.DubboDelayClient;
import io.hourglass.client.http.HttpDelayClient;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.io.ResourceLoader;
import org.springframework.util.ClassUtils;

/**
 * One {@link DelayClient} bean from {@code hourglass.client.*} ({@link DelayClientProperties}): an
 * {@link HttpDelayClient} for {@code transport=http} (the default), a {@link DubboDelayClient} for
 * {@code transport=dubbo}. Closed with the context. Backs off entirely, properties included, when the application
 * declares a {@link DelayClient} of its own.
 */
@AutoConfiguration
@ConditionalOnMissingBean(DelayClient.class)
@EnableConfigurationProperties(DelayClientProperties.class)
public class DelayClientAutoConfiguration {

    static final String DUBBO_CLIENT = "io.hourglass.client.dubbo.DubboDelayClient";

    @Bean
    DelayClient hourglassDelayClient(DelayClientProperties properties, ResourceLoader resources) {
        return switch (properties.transport()) {
            case HTTP -> Http.client(properties);
            case DUBBO -> {
                if (!ClassUtils.isPresent(DUBBO_CLIENT, resources.getClassLoader())) {
                    throw new IllegalStateException(DelayClientProperties.PREFIX + ".transport=dubbo needs"
                            + " io.hourglass:delay-client-dubbo on the class path; add it, or use transport=http");
                }
                yield Dubbo.client(properties);
            }
        };
    }

    /** Kept apart so that the Dubbo classes are only loaded when that transport is chosen. */
    private static final class Dubbo {
        static DelayClient client(DelayClientProperties p) {
            DubboDelayClient.Builder b = DubboDelayClient.builder();
            if (p.address() != null && !p.address().isBlank()) {
                b.address(p.address());
            } else {
                b.registryAddress(p.registryAddress());
            }
            return common(b, p).build();
        }
    }

    private static final class Http {
        static DelayClient client(DelayClientProperties p) {
            // HttpDelayClient.Builder does not extend DelayClientBuilder (yet): the same settings, spelled out
            return HttpDelayClient.builder().baseUrl(p.baseUrl()).appKey(p.appKey()).appSecret(p.appSecret())
                    .connectTimeout(p.connectTimeout()).requestTimeout(p.requestTimeout()).maxRetries(p.maxRetries())
                    .initialBackoff(p.initialBackoff()).maxBackoff(p.maxBackoff())
                    .build();
        }
    }

    /** The settings every transport takes. */
    static <B extends DelayClientBuilder<B>> B common(B b, DelayClientProperties p) {
        return b.appKey(p.appKey()).appSecret(p.appSecret())
                .connectTimeout(p.connectTimeout()).requestTimeout(p.requestTimeout()).maxRetries(p.maxRetries())
                .initialBackoff(p.initialBackoff()).maxBackoff(p.maxBackoff());
    }
}
