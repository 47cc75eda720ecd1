package io.hourglass.store.tck;

import io.hourglass.core.model.App;
import io.hourglass.core.model.AppQuotas;
import io.hourglass.core.model.AppSecret;
import io.hourglass.core.spi.AppStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract every {@link AppStore} must pass (MySQL/MariaDB, H2, Cassandra, ...).
 *
 * <p>Use: extend it in the store module's tests, or nest it in the store's {@link MessageStoreContract} subclass so
 * that both share one backend:
 * <pre>{@code
 * @Nested
 * class Apps extends AppStoreContract {
 *     protected AppStore appStore() { return context.getBean(AppStore.class); }
 * }
 * }</pre>
 *
 * <p>Isolation: the tests share one backend that may outlive the run. Each test works with app keys and topics that
 * start with a random prefix of its own, and asserts only on those (a listing is narrowed to the test's keys).
 */
public abstract class AppStoreContract {

    /** App key prefix of this test; random so that rows of other tests and earlier runs never match. */
    protected final String app = "tck-app-" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40, 1L << 50),
            36);
    /** "Now" at the start of the test, a random ms far in the future (the store never reads the clock). */
    protected final long t0 = 1_800_000_000_000L + ThreadLocalRandom.current().nextLong(2_000_000_000_000L);

    /** The app store under test. Called on every use. */
    protected abstract AppStore appStore();

    // ---------------------------------------------------------------- create and find

    @Test
    @Timeout(30)
    void createdAppIsFoundWithEveryFieldAndAnUnknownAppIsNot() {
        App a = App.create(app, new AppSecret("hash-1", "salt-1"), t0);

        assertThat(appStore().createApp(a)).isTrue();

        assertThat(appStore().findApp(app)).contains(a);
        assertThat(appStore().findApp(app + "-unknown")).isEmpty();
    }

    @Test
    @Timeout(30)
    void createOfAnExistingKeyReturnsFalseAndChangesNothing() {
        App first = App.create(app, new AppSecret("hash-1", "salt-1"), t0);
        assertThat(appStore().createApp(first)).isTrue();

        App second = new App(app, "other", "someone", "again", false, new AppQuotas(1, 2, 3, 4),
                new AppSecret("hash-2", "salt-2"), null, t0 + 5, t0 + 5, 0);

        assertThat(appStore().createApp(second)).isFalse();
        assertThat(appStore().findApp(app)).contains(first);
    }

    @Test
    @Timeout(30)
    void everyFieldRoundTripsIncludingQuotasAndBothSecrets() {
        App full = new App(app, "Orders service ✓", "team-orders@example.com", "créé pour 😀 les commandes", false,
                new AppQuotas(1_000, 50_000, 65_536, 1_000),
                new AppSecret("a".repeat(64), "b".repeat(32), t0 + 99_000),
                new AppSecret("c".repeat(64), "d".repeat(32), t0 + 3_600_000), t0, t0 + 10, 7);

        assertThat(appStore().createApp(full)).isTrue();

        App read = appStore().findApp(app).orElseThrow();
        assertThat(read).isEqualTo(full);
        assertThat(read.previousSecret()).isEqualTo(new AppSecret("c".repeat(64), "d".repeat(32), t0 + 3_600_000));
        assertThat(read.secret().validUntil()).isEqualTo(t0 + 99_000);
    }

    @Test
    @Timeout(30)
    void aCurrentSecretWithoutEndRoundTrips() {
        App a = App.create(app, new AppSecret("hash", "salt"), t0);
        appStore().createApp(a);

        App read = appStore().findApp(app).orElseThrow();

        assertThat(read.secret().validUntil()).isEqualTo(Long.MAX_VALUE);
        assertThat(read.previousSecret()).isNull();
        assertThat(read.quotas()).isEqualTo(AppQuotas.NONE);
        assertThat(read.name()).isEqualTo(app);
        assertThat(read.owner()).isEmpty();
        assertThat(read.description()).isEmpty();
        assertThat(read.enabled()).isTrue();
        assertThat(read.version()).isZero();
    }

    // ---------------------------------------------------------------- conditional update

    @Test
    @Timeout(30)
    void updateWithTheNextVersionReplacesEveryFieldButKeyAndCreatedAt() {
        App created = App.create(app, new AppSecret("hash-1", "salt-1"), t0);
        appStore().createApp(created);
        App changed = new App(app, "new name", "new owner", "new description", false,
                new AppQuotas(10, 20, 30, 40), new AppSecret("hash-2", "salt-2"),
                new AppSecret("hash-1", "salt-1", t0 + 60_000), t0 + 999_999, t0 + 1_000, 1);

        assertThat(appStore().updateApp(changed)).isTrue();

        App read = appStore().findApp(app).orElseThrow();
        assertThat(read.createdAt()).as("createdAt never changes").isEqualTo(t0);
        assertThat(read).isEqualTo(new App(app, "new name", "new owner", "new description", false,
                new AppQuotas(10, 20, 30, 40), new AppSecret("hash-2", "salt-2"),
                new AppSecret("hash-1", "salt-1", t0 + 60_000), t0, t0 + 1_000, 1));
    }

    @Test
    @Timeout(30)
    void updateCanRemoveThePreviousSecretAgain() {
        App created = App.create(app, new AppSecret("hash-1", "salt-1"), t0)
                .withRotatedSecret(new AppSecret("hash-2", "salt-2"), t0 + 60_000);
        assertThat(created.previousSecret()).isNotNull();
        appStore().createApp(created);

        App only = created.withOnlySecret(new AppSecret("hash-3", "salt-3")).touched(t0 + 10);
        assertThat(appStore().updateApp(only)).isTrue();

        App read = appStore().findApp(app).orElseThrow();
        assertThat(read.previousSecret()).isNull();
        assertThat(read.secret()).isEqualTo(new AppSecret("hash-3", "salt-3"));
        assertThat(read).isEqualTo(only);
    }

    @Test
    @Timeout(30)
    void updateWithAStaleVersionLosesAndChangesNothing() {
        App created = App.create(app, new AppSecret("hash-1", "salt-1"), t0);
        appStore().createApp(created);
        App first = created.withEnabled(false).touched(t0 + 1);
        App second = created.withProfile("late writer", "x", "y").touched(t0 + 2); // also from version 0

        assertThat(appStore().updateApp(first)).isTrue();
        assertThat(appStore().updateApp(second)).as("its version moved on").isFalse();

        assertThat(appStore().findApp(app)).contains(first);
        App third = first.withEnabled(true).touched(t0 + 3);
        assertThat(appStore().updateApp(third)).isTrue();
        assertThat(appStore().updateApp(third)).as("the same version twice").isFalse();
        assertThat(appStore().findApp(app).orElseThrow().version()).isEqualTo(2);
    }

    @Test
    @Timeout(30)
    void updateThatSkipsAVersionOrOfAnUnknownAppReturnsFalse() {
        App created = App.create(app, new AppSecret("hash-1", "salt-1"), t0);
        appStore().createApp(created);
        App skipping = new App(app, "n", "o", "d", true, AppQuotas.NONE, created.secret(), null, t0, t0 + 1, 2);

        assertThat(appStore().updateApp(skipping)).isFalse();
        assertThat(appStore().updateApp(App.create(app + "-unknown", new AppSecret("h", "s"), t0).touched(t0)))
                .isFalse();

        assertThat(appStore().findApp(app)).contains(created);
        assertThat(appStore().findApp(app + "-unknown")).isEmpty();
    }

    // ---------------------------------------------------------------- listing

    @Test
    @Timeout(30)
    void listAppsPagesThroughTheAppsInKeyOrderWithAKeysetCursor() {
        List<String> keys = new ArrayList<>();
        for (char c : "gbfadce".toCharArray()) { // created out of order
            String key = app + "-" + c;
            keys.add(key);
            assertThat(appStore().createApp(App.create(key, new AppSecret("h-" + c, "s-" + c), t0))).isTrue();
        }
        List<String> sorted = keys.stream().sorted().toList();

        List<App> page1 = appStore().listApps(app + "-", 3);
        List<App> page2 = appStore().listApps(page1.get(2).appKey(), 3);
        List<App> page3 = appStore().listApps(page2.get(2).appKey(), 3);

        assertThat(page1).extracting(App::appKey).containsExactlyElementsOf(sorted.subList(0, 3));
        assertThat(page2).extracting(App::appKey).containsExactlyElementsOf(sorted.subList(3, 6));
        assertThat(page3).hasSizeLessThanOrEqualTo(3);
        assertThat(page3.get(0).appKey()).isEqualTo(sorted.get(6));
        assertThat(page1.get(0)).isEqualTo(App.create(sorted.get(0), new AppSecret("h-a", "s-a"), t0));
    }

    @Test
    @Timeout(30)
    void listAppsFromTheStartIsInKeyOrderAndRespectsTheLimit() {
        appStore().createApp(App.create(app + "-a", new AppSecret("h", "s"), t0));
        appStore().createApp(App.create(app + "-b", new AppSecret("h", "s"), t0));

        List<App> first = appStore().listApps(null, 1);
        List<App> again = appStore().listApps("", 1);
        assertThat(first).hasSize(1);
        assertThat(again).isEqualTo(first);

        List<String> many = appStore().listApps(null, 10_000).stream().map(App::appKey).toList();
        assertThat(many).isSorted().doesNotHaveDuplicates().contains(app + "-a", app + "-b");
        assertThat(appStore().listApps(app + "-a", 1)).extracting(App::appKey).containsExactly(app + "-b");
    }

    // ---------------------------------------------------------------- topics

    @Test
    @Timeout(30)
    void addTopicIsIdempotentAndTopicsOfListsAnAppsTopics() {
        appStore().createApp(App.create(app, new AppSecret("h", "s"), t0));
        appStore().addTopic(app, "orders", t0);
        appStore().addTopic(app, "orders", t0 + 1);
        appStore().addTopic(app, "payments", t0 + 2);
        appStore().addTopic(app + "-other", "audit", t0 + 3);

        assertThat(appStore().topicsOf(app)).containsExactlyInAnyOrder("orders", "payments");
        assertThat(appStore().topicsOf(app + "-other")).containsExactly("audit");
        assertThat(appStore().topicsOf(app + "-unknown")).isEmpty();
    }

    @Test
    @Timeout(30)
    void removeTopicWithdrawsItOnceAndReportsWhetherItWasThere() {
        appStore().addTopic(app, "orders", t0);
        appStore().addTopic(app, "payments", t0);

        assertThat(appStore().removeTopic(app, "orders")).isTrue();
        assertThat(appStore().removeTopic(app, "orders")).isFalse();
        assertThat(appStore().removeTopic(app, "never")).isFalse();
        assertThat(appStore().removeTopic(app + "-unknown", "payments")).isFalse();

        assertThat(appStore().topicsOf(app)).containsExactly("payments");
        appStore().addTopic(app, "orders", t0 + 1);
        assertThat(appStore().topicsOf(app)).containsExactlyInAnyOrder("orders", "payments");
    }

    @Test
    @Timeout(30)
    void topicGrantsListEveryTopicWithItsAppsSortedByTopic() {
        String orders = app + ".orders";
        String payments = app + ".payments";
        String gone = app + ".gone";
        appStore().addTopic(app + "-b", payments, t0);
        appStore().addTopic(app + "-a", orders, t0);
        appStore().addTopic(app + "-b", orders, t0);
        appStore().addTopic(app + "-a", gone, t0);
        appStore().removeTopic(app + "-a", gone);

        Map<String, Set<String>> grants = appStore().topicGrants();

        assertThat(grants).containsEntry(orders, Set.of(app + "-a", app + "-b"))
                .containsEntry(payments, Set.of(app + "-b"))
                .doesNotContainKey(gone);
        assertThat(new ArrayList<>(grants.keySet())).isSorted();
    }
}
