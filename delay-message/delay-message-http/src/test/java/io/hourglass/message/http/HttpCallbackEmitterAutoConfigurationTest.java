package io.hourglass.message.http;

import io.hourglass.core.spi.MessageEmitter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.validation.ValidationAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class HttpCallbackEmitterAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(HttpCallbackEmitterAutoConfiguration.class,
                    ValidationAutoConfiguration.class));

    private static final String[] ORDERS_ON_LOOPBACK = {
            "delay.message.http.enabled=true",
            "delay.message.http.targets.orders.app-key=shop",
            "delay.message.http.targets.orders.url=http://127.0.0.1:8080/hook",
            "delay.message.http.targets.orders.allow-private-network=true",
            "delay.message.http.signing-secrets.shop=" + HttpCallbackPropertiesTest.SECRET,
            "delay.message.http.allowed-hosts.shop=127.0.0.1"};

    @Test
    @Timeout(30)
    void offByDefault() {
        runner.run(context -> assertThat(context).doesNotHaveBean(MessageEmitter.class)
                .doesNotHaveBean(CallbackTargets.class));
    }

    @Test
    @Timeout(30)
    void enabledCreatesTheEmitterWithItsPropertiesBackedLookups() {
        runner.withPropertyValues(ORDERS_ON_LOOPBACK).run(context -> {
            assertThat(context).hasSingleBean(HttpCallbackEmitter.class)
                    .hasSingleBean(PropertiesCallbackTargets.class)
                    .hasSingleBean(PropertiesSigningSecrets.class)
                    .hasSingleBean(PropertiesAllowedHosts.class);
            assertThat(context.getBean(CallbackTargets.class).targetFor("orders")).isPresent();
        });
    }

    @Test
    @Timeout(30)
    void userTargetsBeanWins() {
        runner.withPropertyValues(ORDERS_ON_LOOPBACK).withUserConfiguration(UserTargets.class).run(context -> {
            assertThat(context).hasSingleBean(HttpCallbackEmitter.class).hasSingleBean(CallbackTargets.class)
                    .doesNotHaveBean(PropertiesCallbackTargets.class);
            assertThat(context.getBean(CallbackTargets.class)).isSameAs(UserTargets.TARGETS);
        });
    }

    @Test
    @Timeout(30)
    void badMethodFailsTheStartNamingTheKey() {
        runner.withPropertyValues(ORDERS_ON_LOOPBACK).withPropertyValues("delay.message.http.targets.orders.method=GET")
                .run(context -> assertThat(messages(context.getStartupFailure()))
                        .contains("delay.message.http.targets.orders.method"));
    }

    @Test
    @Timeout(30)
    void loopbackTargetWithoutThePrivateNetworkFlagFailsTheStartNamingTheKey() {
        runner.withPropertyValues(ORDERS_ON_LOOPBACK)
                .withPropertyValues("delay.message.http.targets.orders.allow-private-network=false")
                .run(context -> assertThat(messages(context.getStartupFailure()))
                        .contains("delay.message.http.targets.orders.url").contains("loopback"));
    }

    @Test
    @Timeout(30)
    void hostOutsideTheAllowedListFailsTheStartNamingTheKey() {
        runner.withPropertyValues(ORDERS_ON_LOOPBACK)
                .withPropertyValues("delay.message.http.targets.orders.url=http://127.0.0.2:8080/hook")
                .run(context -> assertThat(messages(context.getStartupFailure()))
                        .contains("delay.message.http.targets.orders.url").contains("127.0.0.2"));
    }

    private static String messages(Throwable failure) {
        assertThat(failure).as("start-up failure").isNotNull();
        StringBuilder all = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append('\n');
        }
        return all.toString();
    }

    @Configuration(proxyBeanMethods = false)
    static class UserTargets {
        static final CallbackTargets TARGETS = topic -> Optional.empty();

        @Bean
        CallbackTargets myTargets() {
            return TARGETS;
        }
    }
}
