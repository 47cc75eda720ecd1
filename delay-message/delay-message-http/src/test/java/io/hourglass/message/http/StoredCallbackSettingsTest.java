package io.hourglass.message.http;

import io.hourglass.core.model.Setting;
import io.hourglass.core.spi.AdminStore;
import io.hourglass.core.testing.InMemoryAdminStore;
import io.hourglass.message.http.StoredCallbackSettings.StoredTarget;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Targets, hosts and secrets set through the admin API (stored settings) over those of the properties. */
class StoredCallbackSettingsTest {

    private final InMemoryAdminStore store = new InMemoryAdminStore();

    private void put(String name, String value) {
        store.putSetting(new Setting(name, value, 1L));
    }

    private static HttpCallbackProperties properties() {
        return HttpCallbackPropertiesTest.bind(HttpCallbackPropertiesTest.orders("http://127.0.0.1:9/from-properties",
                "targets.orders.allow-private-network", "true"));
    }

    @Test
    void storedEntriesWinOverThePropertiesAndTheRestComesFromTheProperties() {
        put(StoredCallbackSettings.TARGET + "orders", StoredCallbackSettings.encodeTarget(new StoredTarget("shop",
                "https://hooks.example.com/stored", "put", Map.of("X-Team", "a"), 3000, false)));
        put(StoredCallbackSettings.TARGET + "audit", StoredCallbackSettings.encodeTarget(new StoredTarget("shop",
                "https://hooks.example.com/audit", null, null, 4000, false)));
        put(StoredCallbackSettings.HOSTS + "shop", StoredCallbackSettings.encodeHosts(Set.of("*.example.com")));
        put(StoredCallbackSettings.SECRET + "shop", "stored-secret-stored-secret");
        StoredCallbackSettings stored = new StoredCallbackSettings(store, null);
        HttpCallbackProperties properties = properties();
        PropertiesAllowedHosts hosts = new PropertiesAllowedHosts(properties, stored);
        PropertiesSigningSecrets secrets = new PropertiesSigningSecrets(properties, stored);
        PropertiesCallbackTargets targets = new PropertiesCallbackTargets(properties, new CallbackTargetGuard(
                new PropertiesAllowedHosts(properties)), new PropertiesSigningSecrets(properties), stored);

        assertThat(targets.targetFor("orders")).hasValueSatisfying(t -> {
            assertThat(t.url().toString()).isEqualTo("https://hooks.example.com/stored");
            assertThat(t.method()).isEqualTo(CallbackTarget.Method.PUT);
            assertThat(t.headers()).containsEntry("X-Team", "a");
            assertThat(t.timeout().toMillis()).isEqualTo(3000);
        });
        assertThat(targets.targetFor("audit")).hasValueSatisfying(t ->
                assertThat(t.method()).isEqualTo(CallbackTarget.Method.POST));
        assertThat(hosts.patternsFor("shop")).containsExactly("*.example.com");
        assertThat(new String(secrets.secretFor("shop").orElseThrow(), StandardCharsets.UTF_8))
                .isEqualTo("stored-secret-stored-secret");
        // an app without stored entries keeps its properties
        assertThat(hosts.patternsFor("other")).isEmpty();
        assertThat(new PropertiesSigningSecrets(properties, new StoredCallbackSettings(new InMemoryAdminStore(), null))
                .secretFor("shop")).hasValueSatisfying(s ->
                assertThat(new String(s, StandardCharsets.UTF_8)).isEqualTo(HttpCallbackPropertiesTest.SECRET));
    }

    @Test
    void aChangeIsSeenAfterARefreshAndAnUnreadableEntryIsSkippedAlone() {
        StoredCallbackSettings stored = new StoredCallbackSettings(store, null);
        assertThat(stored.target("orders")).isEmpty();

        put(StoredCallbackSettings.TARGET + "orders", StoredCallbackSettings.encodeTarget(new StoredTarget("shop",
                "https://hooks.example.com/x", "POST", null, 3000, false)));
        put(StoredCallbackSettings.TARGET + "broken", "{not json");
        put(StoredCallbackSettings.TARGET + "ftp", StoredCallbackSettings.encodeTarget(new StoredTarget("shop",
                "ftp://hooks.example.com/x", "POST", null, 3000, false)));
        put(StoredCallbackSettings.HOSTS + "shop", "[\"bad host\"]");
        assertThat(stored.target("orders")).as("not before a refresh").isEmpty();

        stored.refresh();

        assertThat(stored.target("orders")).isPresent();
        assertThat(stored.target("broken")).isEmpty();
        assertThat(stored.target("ftp")).isEmpty();
        assertThat(stored.hosts("shop")).isEmpty();

        store.deleteSetting(StoredCallbackSettings.TARGET + "orders");
        stored.refresh();
        assertThat(stored.target("orders")).isEmpty();
    }

    @Test
    void aStoreThatFailsLeavesTheLastSettingsInPlace() {
        put(StoredCallbackSettings.SECRET + "shop", "stored-secret-stored-secret");
        AtomicBoolean down = new AtomicBoolean();
        AdminStore flaky = (AdminStore) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {AdminStore.class}, (proxy, method, args) -> {
                    if (down.get()) {
                        throw new IllegalStateException("store down");
                    }
                    return method.invoke(store, args);
                });
        StoredCallbackSettings stored = new StoredCallbackSettings(flaky, null);
        assertThat(stored.secret("shop")).isPresent();

        down.set(true);
        assertThatThrownBy(stored::refresh).hasMessageContaining("store down");

        assertThat(stored.secret("shop")).as("the last snapshot").isPresent();
    }

    @Test
    void untilAFirstReadSucceedsLookupsRefuseRatherThanGuessWhereATopicDelivers() throws Exception {
        AtomicBoolean migrated = new AtomicBoolean();
        AdminStore notYet = (AdminStore) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {AdminStore.class}, (proxy, method, args) -> {
                    if (!migrated.get()) {
                        throw new IllegalStateException("Table delay_setting not found");
                    }
                    return method.invoke(store, args);
                });
        put(StoredCallbackSettings.TARGET + "orders", StoredCallbackSettings.encodeTarget(new StoredTarget("shop",
                "https://hooks.example.com/x", "POST", null, 3000, false)));
        StoredCallbackSettings stored = new StoredCallbackSettings(notYet, null); // reads nothing while it starts

        assertThatThrownBy(() -> stored.target("orders")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("delay_setting");
        PropertiesCallbackTargets targets = new PropertiesCallbackTargets(properties(), new CallbackTargetGuard(
                new PropertiesAllowedHosts(properties())), new PropertiesSigningSecrets(properties()), stored);
        assertThatThrownBy(() -> targets.targetFor("audit")).as("not even Kafka for a topic without a target")
                .isInstanceOf(IllegalStateException.class);

        migrated.set(true);
        Thread.sleep(1_100); // a failed first read is tried again after a second

        assertThat(stored.target("orders")).isPresent();
        assertThat(targets.targetFor("audit")).isEmpty();
    }

    @Test
    void withoutAStoreNothingIsStored() {
        StoredCallbackSettings stored = new StoredCallbackSettings(null, java.time.Duration.ofSeconds(1));
        stored.refresh();
        assertThat(stored.target("orders")).isEmpty();
        assertThat(stored.secret("shop")).isEmpty();
        stored.close();
    }
}
