package io.hourglass.store.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import io.hourglass.core.model.App;
import io.hourglass.core.model.AppQuotas;
import io.hourglass.core.model.AppSecret;
import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.model.MessageIds;
import io.hourglass.core.model.MessageState;
import io.hourglass.core.spi.AppStore;
import io.hourglass.core.spi.MessageStore;
import io.hourglass.core.spi.MessageStore.MessageQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.context.ConfigurableApplicationContext;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A keyspace made by the earlier version of the store (app without profile, quotas and version; by-state index
 * without app_key) is upgraded at start: the missing columns are added (again and again without harm), an app of
 * that version reads with the defaults and can be updated, and a message whose hint has no app_key is still found by
 * the search.
 */
class CassandraSchemaUpgradeTest {

    private static final Duration DDL = Duration.ofSeconds(60);

    @Test
    @Timeout(240)
    void aKeyspaceOfTheEarlierVersionIsUpgradedAtStartAndItsRowsStayReadable() {
        CassandraTestServer server = CassandraTestServer.fromEnvironment();
        String ks = server.keyspace;
        long now = 1_800_000_000_000L;
        DelayMessage m = DelayMessage.scheduled(new MessageIds().next(7, now), "old-app", "orders", "k", "p", null,
                now + 1000, null, now, null);
        try (CqlSession session = server.openSession()) {
            for (String ddl : List.of(
                    "CREATE KEYSPACE " + ks + " WITH replication = {'class': 'NetworkTopologyStrategy',"
                            + " 'datacenter1': 1}",
                    "CREATE TABLE " + ks + ".message (id bigint PRIMARY KEY, slot int, app_key text, topic text,"
                            + " msg_key text, payload text, headers text, deliver_at bigint, fire_at bigint,"
                            + " repeat_interval_ms bigint, state text, attempts int, created_at bigint,"
                            + " updated_at bigint, version bigint, idem_key text, claim_token bigint,"
                            + " claimed_at bigint, last_error text)",
                    "CREATE TABLE " + ks + ".message_by_state (slot int, state text, updated_at bigint, id bigint,"
                            + " claimed_at bigint, PRIMARY KEY ((slot, state), updated_at, id))"
                            + " WITH gc_grace_seconds = 3600",
                    "CREATE TABLE " + ks + ".app (app_key text PRIMARY KEY, secret_hash text, salt text,"
                            + " enabled boolean, created_at bigint)")) {
                session.execute(SimpleStatement.newInstance(ddl).setTimeout(DDL));
            }
            session.execute(SimpleStatement.newInstance("INSERT INTO " + ks + ".app (app_key, secret_hash, salt,"
                    + " enabled, created_at) VALUES ('old-app', 'hash-1', 'salt-1', false, 1700000000000)"));
            session.execute(SimpleStatement.newInstance("INSERT INTO " + ks + ".message (id, slot, app_key, topic,"
                    + " msg_key, payload, deliver_at, fire_at, state, attempts, created_at, updated_at, version,"
                    + " claim_token, claimed_at) VALUES (?, 7, 'old-app', 'orders', 'k', 'p', ?, ?, 'SCHEDULED', 0,"
                    + " ?, ?, 0, 0, 0) USING TIMESTAMP 1", m.id(), m.deliverAt(), m.fireAt(), now, now));
            session.execute(SimpleStatement.newInstance("INSERT INTO " + ks + ".message_by_state (slot, state,"
                    + " updated_at, id, claimed_at) VALUES (7, 'SCHEDULED', ?, ?, 0) USING TIMESTAMP 1", now, m.id()));
        }

        try (ConfigurableApplicationContext context = server.startStore()) {
            CqlSession session = context.getBean(CqlSession.class);
            CassandraSchema.upgrade(session, ks); // a second start (or a concurrent one) changes nothing
            AppStore apps = context.getBean(AppStore.class);
            MessageStore messages = context.getBean(MessageStore.class);

            App read = apps.findApp("old-app").orElseThrow();
            assertThat(read).isEqualTo(new App("old-app", "old-app", "", "", false, AppQuotas.NONE,
                    new AppSecret("hash-1", "salt-1"), null, 1_700_000_000_000L, 1_700_000_000_000L, 0));
            assertThat(apps.updateApp(read.withEnabled(true).touched(1_700_000_000_001L))).isTrue();
            assertThat(apps.updateApp(read.withProfile("late", "", "").touched(1_700_000_000_002L))).isFalse();
            App updated = apps.findApp("old-app").orElseThrow();
            assertThat(updated.enabled()).isTrue();
            assertThat(updated.version()).isEqualTo(1);

            assertThat(messages.get(m.id())).contains(m);
            List<DelayMessage> found = new ArrayList<>();
            String cursor = null;
            do {
                MessageStore.MessagePage page = messages.search(new MessageQuery("old-app", null, null,
                        MessageState.SCHEDULED, null, null), cursor, 10);
                found.addAll(page.messages());
                cursor = page.nextCursor();
            } while (cursor != null);
            assertThat(found).containsExactly(m);
        } finally {
            server.dropKeyspace();
        }
    }
}
