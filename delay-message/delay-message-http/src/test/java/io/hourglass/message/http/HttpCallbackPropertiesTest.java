package io.hourglass.message.http;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Binding and start-up checks of {@code delay.message.http.*}, as Boot binds them. */
class HttpCallbackPropertiesTest {

    static final String SECRET = "s3cret-s3cret-s3cret-s3cret";

    static HttpCallbackProperties bind(Map<String, String> entries) {
        Map<String, String> prefixed = new HashMap<>();
        entries.forEach((k, v) -> prefixed.put(HttpCallbackProperties.PREFIX + "." + k, v));
        return new Binder(new MapConfigurationPropertySource(prefixed))
                .bindOrCreate(HttpCallbackProperties.PREFIX, Bindable.of(HttpCallbackProperties.class));
    }

    static Map<String, String> orders(String url, String... more) {
        Map<String, String> entries = new HashMap<>(Map.of(
                "targets.orders.app-key", "shop",
                "targets.orders.url", url,
                "signing-secrets.shop", SECRET,
                "allowed-hosts.shop[0]", "127.0.0.1",
                "allowed-hosts.shop[1]", "*.example.com"));
        for (int i = 0; i < more.length; i += 2) {
            entries.put(more[i], more[i + 1]);
        }
        return entries;
    }

    private static CallbackTargets targets(HttpCallbackProperties properties) {
        return new PropertiesCallbackTargets(properties,
                new CallbackTargetGuard(new PropertiesAllowedHosts(properties)), new PropertiesSigningSecrets(properties));
    }

    @Test
    void defaultsAreOffTwoSecondsAnd32PerHost() {
        HttpCallbackProperties properties = bind(Map.of());

        assertThat(properties.enabled()).isFalse();
        assertThat(properties.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(properties.maxConcurrentPerHost()).isEqualTo(32);
        assertThat(properties.targets()).isEmpty();
    }

    @Test
    void aTargetTimeoutNotLongerThanTheConnectTimeoutFailsTheStartNamingTheKey() {
        assertThatThrownBy(() -> bind(orders("http://127.0.0.1:9/hook", "targets.orders.timeout", "2s")))
                .hasRootCauseInstanceOf(IllegalArgumentException.class)
                .rootCause().hasMessageContaining("delay.message.http.targets.orders.timeout")
                .hasMessageContaining("delay.message.http.connect-timeout");
        assertThat(bind(orders("http://127.0.0.1:9/hook", "targets.orders.timeout", "2s", "connect-timeout", "500ms"))
                .targets()).containsKey("orders");
    }

    @Test
    void targetIsBoundWithMethodHeadersTimeoutAndPrivateNetworkFlag() {
        HttpCallbackProperties properties = bind(orders("http://127.0.0.1:9/hook",
                "targets.orders.method", "put", "targets.orders.timeout", "3s",
                "targets.orders.headers.X-Team", "orders", "targets.orders.allow-private-network", "true"));

        CallbackTarget target = targets(properties).targetFor("orders").orElseThrow();

        assertThat(target.method()).isEqualTo(CallbackTarget.Method.PUT);
        assertThat(target.timeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(target.headers()).containsEntry("X-Team", "orders");
        assertThat(target.allowPrivateNetwork()).isTrue();
        assertThat(targets(properties).targetFor("payments")).isEmpty();
    }

    @Test
    void badMethodFailsNamingTheKey() {
        assertThatThrownBy(() -> bind(orders("https://hooks.example.com/x", "targets.orders.method", "DELETE")))
                .isInstanceOf(BindException.class).rootCause()
                .hasMessageContaining("delay.message.http.targets.orders.method").hasMessageContaining("DELETE");
    }

    @Test
    void badUrlFailsNamingTheKey() {
        assertThatThrownBy(() -> bind(orders("ftp://hooks.example.com/x")))
                .isInstanceOf(BindException.class).rootCause()
                .hasMessageContaining("delay.message.http.targets.orders.url").hasMessageContaining("http or https");
        assertThatThrownBy(() -> bind(orders("http://bad host/x")))
                .isInstanceOf(BindException.class).rootCause()
                .hasMessageContaining("delay.message.http.targets.orders.url");
    }

    @Test
    void reservedTargetHeaderFailsNamingTheKey() {
        assertThatThrownBy(() -> bind(orders("https://hooks.example.com/x",
                "targets.orders.headers.X-Hourglass-Id", "1")))
                .isInstanceOf(BindException.class).rootCause()
                .hasMessageContaining("delay.message.http.targets.orders.headers");
    }

    @Test
    void shortSecretFailsNamingTheKey() {
        assertThatThrownBy(() -> bind(orders("https://hooks.example.com/x", "signing-secrets.shop", "short")))
                .isInstanceOf(BindException.class).rootCause()
                .hasMessageContaining("delay.message.http.signing-secrets.shop");
    }

    @Test
    void hostNotInTheAppsAllowedListIsRefusedAtConfigurationTimeNamingTheKey() {
        HttpCallbackProperties properties = bind(orders("https://evil.example.net/steal"));

        assertThatThrownBy(() -> targets(properties)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("delay.message.http.targets.orders.url")
                .hasMessageContaining("evil.example.net")
                .hasMessageContaining("delay.message.http.allowed-hosts.shop");
    }

    @Test
    void loopbackWithoutAllowPrivateNetworkIsRefusedAtConfigurationTimeNamingTheKey() {
        HttpCallbackProperties properties = bind(orders("http://127.0.0.1:8080/hook"));

        assertThatThrownBy(() -> targets(properties)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("delay.message.http.targets.orders.url").hasMessageContaining("loopback");
    }

    @Test
    void missingAppKeyOrSecretIsRefusedNamingTheKey() {
        Map<String, String> noApp = orders("http://127.0.0.1:8080/hook");
        noApp.remove("targets.orders.app-key");
        assertThatThrownBy(() -> bind(noApp)).isInstanceOf(BindException.class).rootCause()
                .hasMessageContaining("delay.message.http.targets.orders.app-key");

        Map<String, String> noSecret = orders("http://127.0.0.1:8080/hook",
                "targets.orders.allow-private-network", "true");
        noSecret.remove("signing-secrets.shop");
        assertThatThrownBy(() -> targets(bind(noSecret))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("delay.message.http.signing-secrets.shop");
    }
}
