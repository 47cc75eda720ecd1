package io.hourglass.message.http;

import io.hourglass.core.clock.DelayClock;
import io.hourglass.core.spi.AdminStore;
import io.hourglass.core.spi.MessageEmitter;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The HTTP callback emitter: on when {@code delay.message.http.enabled=true} (beside Kafka: topics with a callback
 * target deliver through it) or {@code delay.message.type=http} (every topic by callback; off by default).
 *
 * <p>It creates an {@link HttpCallbackEmitter} bean <em>next to</em> whatever {@link MessageEmitter} the server
 * selected with {@code delay.message.type} (it does not back off for one): routing topics to Kafka or to callbacks is
 * the server's job. Each lookup ({@link AllowedHosts}, {@link SigningSecrets}, {@link CallbackTargets}) and the
 * emitter itself back off when the application declares its own bean of that type, so the admin API can supply
 * targets, secrets and allowed hosts from its store. The properties-backed targets are checked at start (see
 * {@link PropertiesCallbackTargets}): a refused target fails the start, naming its key.
 */
// After the Kafka emitter's configuration, which backs off when a MessageEmitter exists: beside Kafka
// (delay.message.http.enabled) this emitter must not be there first, or every topic would go to callbacks.
@AutoConfiguration(afterName = "io.hourglass.message.kafka.KafkaEmitterAutoConfiguration")
@ConditionalOnClass(MessageEmitter.class)
@ConditionalOnExpression("${delay.message.http.enabled:false} or '${delay.message.type:kafka}'.trim().equalsIgnoreCase('http')")
@EnableConfigurationProperties(HttpCallbackProperties.class)
public class HttpCallbackEmitterAutoConfiguration {

    /** What the admin API set (from the application's {@link AdminStore}, when it has one), read every few seconds. */
    @Bean
    @ConditionalOnMissingBean
    public StoredCallbackSettings httpCallbackStoredSettings(HttpCallbackProperties properties,
                                                             ObjectProvider<AdminStore> store) {
        return new StoredCallbackSettings(store.getIfAvailable(), properties.settingsRefresh());
    }

    @Bean
    @ConditionalOnMissingBean(AllowedHosts.class)
    public PropertiesAllowedHosts httpCallbackAllowedHosts(HttpCallbackProperties properties,
                                                           StoredCallbackSettings stored) {
        return new PropertiesAllowedHosts(properties, stored);
    }

    @Bean
    @ConditionalOnMissingBean(SigningSecrets.class)
    public PropertiesSigningSecrets httpCallbackSigningSecrets(HttpCallbackProperties properties,
                                                               StoredCallbackSettings stored) {
        return new PropertiesSigningSecrets(properties, stored);
    }

    @Bean
    @ConditionalOnMissingBean
    public CallbackTargetGuard httpCallbackTargetGuard(AllowedHosts allowedHosts) {
        return new CallbackTargetGuard(allowedHosts);
    }

    /**
     * The properties' targets are checked at start against the properties' allowed hosts and secrets (the admin API's
     * settings may not be readable while the application starts: the store's schema is migrated later); the emitter's
     * guard checks every request against the effective ones.
     */
    @Bean
    @ConditionalOnMissingBean(CallbackTargets.class)
    public PropertiesCallbackTargets httpCallbackTargets(HttpCallbackProperties properties,
                                                         StoredCallbackSettings stored) {
        return new PropertiesCallbackTargets(properties, new CallbackTargetGuard(new PropertiesAllowedHosts(properties)),
                new PropertiesSigningSecrets(properties), stored);
    }

    @Bean
    @ConditionalOnMissingBean
    public HttpCallbackEmitter httpCallbackEmitter(HttpCallbackProperties properties, CallbackTargets targets,
                                                   SigningSecrets secrets, CallbackTargetGuard guard,
                                                   ObjectProvider<DelayClock> clock,
                                                   ObjectProvider<io.micrometer.core.instrument.MeterRegistry> registry) {
        return new HttpCallbackEmitter(targets, secrets, guard, clock.getIfAvailable(DelayClock::system),
                properties.connectTimeout(), properties.maxConcurrentPerHost(),
                registry.getIfAvailable(io.micrometer.core.instrument.composite.CompositeMeterRegistry::new));
    }
}
