package io.hourglass.store.mysql;

import io.hourglass.protocol.tck.TcpProxy;
import io.hourglass.core.error.StoreUnavailableException;
import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.model.MessageIds;
import io.hourglass.testsupport.RequiresService;
import io.hourglass.testsupport.TestService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The store contract on a real MariaDB 10.11 server, wired as in production (Boot's DataSource with HikariCP,
 * Flyway, MyBatis and {@code MysqlStoreAutoConfiguration}), in a database of its own that is dropped afterwards.
 * {@code scripts/test.sh} starts the server ({@code scripts/lib/services.sh}) and sets {@value MariaDbTestServer#URL_ENV};
 * without it the class fails, or is skipped with HOURGLASS_SKIP_SERVICES=1 ({@link RequiresService}). A restart of the backend is a real stop and start of the server process, under
 * the running store and its connection pool.
 */
@RequiresService(TestService.MARIADB)
class MariaDbMessageStoreTest extends SqlStoreContract {

    private static MariaDbTestServer server;
    private static ConfigurableApplicationContext context;

    @BeforeAll
    static void openDatabase() throws Exception {
        server = MariaDbTestServer.createDatabase();
        context = server.startStore();
    }

    @AfterAll
    static void dropDatabase() throws Exception {
        if (context != null) {
            context.close();
        }
        if (server != null) {
            server.dropDatabase();
        }
    }

    @Override
    protected ApplicationContext context() {
        return context;
    }

    /** Stops and starts the server process; the store and its pool stay as they are and must reconnect. */
    @Override
    protected void restartBackend() throws Exception {
        TestService.MARIADB.assumeManagedHere();
        TestService.MARIADB.restart(false);
    }

    // ---------------------------------------------------------------- MariaDB specifics

    /**
     * Guarantee 1 on MariaDB: four writers insert batches while the server is killed with SIGKILL; after its
     * recovery, every insert that had returned is there (InnoDB's default innodb_flush_log_at_trx_commit=1 writes
     * and syncs the redo log at each commit). Inserts that failed may or may not be there: their callers were told
     * the store was unavailable and retry with their idempotency key.
     */
    @Test
    @Timeout(180)
    void everyAcknowledgedInsertSurvivesAKillOfTheServer() throws Exception {
        TestService.MARIADB.assumeManagedHere();
        Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicInteger failed = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService writers = Executors.newFixedThreadPool(4);
        List<Future<?>> running = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            running.add(writers.submit(() -> {
                for (long i = 0; !stop.get(); i++) {
                    List<DelayMessage> batch = new ArrayList<>(25);
                    for (int k = 0; k < 25; k++) {
                        batch.add(message(t0 + 1000 + i));
                    }
                    try {
                        store().insert(batch);
                        batch.forEach(m -> acknowledged.add(m.id()));
                    } catch (StoreUnavailableException e) {
                        failed.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= 2_000);

            TestService.MARIADB.restart(true);

            int before = acknowledged.size();
            await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= before + 500);
        } finally {
            stop.set(true);
            for (Future<?> f : running) {
                f.get(60, TimeUnit.SECONDS);
            }
            writers.shutdownNow();
        }

        assertThat(failed.get()).as("inserts failed while the server was down").isPositive();
        List<Long> lost = acknowledged.stream().filter(id -> store().get(id).isEmpty()).toList();
        assertThat(lost).as("acknowledged but lost (of %d)", acknowledged.size()).isEmpty();
    }

    /**
     * A store call on a connection whose network went silent (a frozen database host, a partition) fails with
     * StoreUnavailableException within {@code delay.store.mysql.transaction-timeout} (plus a grace), not after the URL's
     * {@code socketTimeout}: the transaction timeout becomes the connection's network timeout for the length of the
     * transaction ({@link BoundedTransactionManager}), and the single-statement calls that clients wait on (get, the
     * idempotency lookup of a keyed submit, cancel, the app lookups of an authentication) and the preloader's scan
     * run in one too. The server-side
     * statement timeout that Spring's query timeout turns into on MariaDB cannot help here: the server's answer never
     * arrives.
     */
    @Test
    @Timeout(240)
    void aCallOnASilentConnectionFailsWithinTheTransactionTimeout() throws Exception {
        java.util.regex.Matcher hostPort = java.util.regex.Pattern.compile("//([^/:?]+):(\\d+)/").matcher(server.url());
        assertThat(hostPort.find()).as("host and port in %s", server.url()).isTrue();
        try (TcpProxy relay = new TcpProxy(hostPort.group(1), Integer.parseInt(hostPort.group(2)))) {
            String viaRelay = server.url().replace(hostPort.group(0), "//127.0.0.1:" + relay.port() + "/")
                    + "&socketTimeout=60000";
            try (ConfigurableApplicationContext frozen = server.startStoreAt(viaRelay,
                    "delay.store.mysql.transaction-timeout=2s", "spring.datasource.hikari.maximum-pool-size=1")) {
                io.hourglass.core.spi.MessageStore store = frozen.getBean(io.hourglass.core.spi.MessageStore.class);
                DelayMessage kept = message(t0 + 500);
                store.insert(List.of(kept));
                Map<String, Runnable> calls = new java.util.LinkedHashMap<>();
                calls.put("insert", () -> store.insert(List.of(message(t0 + 2000))));
                calls.put("get", () -> store.get(kept.id()));
                calls.put("findByIdempotencyKeys", () -> store.findByIdempotencyKeys(app, List.of("k-1", "k-2")));
                calls.put("cancel", () -> store.cancel(kept.id(), t0));
                calls.put("scanScheduled", () -> store.scanScheduled(slot, t0, t0 + 10_000, 0, 0, 10));
                io.hourglass.core.spi.AppStore apps = frozen.getBean(io.hourglass.core.spi.AppStore.class);
                calls.put("findApp (an authentication's cache miss)", () -> apps.findApp("some-app"));
                calls.put("topicsOf", () -> apps.topicsOf("some-app"));
                for (Map.Entry<String, Runnable> call : calls.entrySet()) {
                    store.get(kept.id()); // the pool's one connection is open and just used
                    relay.freeze();
                    long start = System.nanoTime();
                    org.assertj.core.api.Assertions.assertThatThrownBy(call.getValue()::run).as(call.getKey())
                            .isInstanceOf(StoreUnavailableException.class);
                    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                    assertThat(millis).as("%s on a silent connection failed after (ms)", call.getKey())
                            .isBetween(1_000L, 2_000L + BoundedTransactionManager.GRACE_MS + 4_000L);
                    relay.restore();
                }
                assertThat(store.get(kept.id())).as("the store answers again once the network is back").isPresent();
            }
        }
    }

    /**
     * Keys compare byte for byte, as on H2 and Cassandra: the server's default collation (utf8mb4_unicode_ci here,
     * utf8mb4_general_ci out of the box) would make "Order-1" and "order-1" one key, and utf8mb4_bin (PAD SPACE)
     * "order-1" and "order-1 ". The schema gives MariaDB utf8mb4_nopad_bin.
     */
    @Test
    @Timeout(30)
    void keysDifferingOnlyInCaseOrAccentAreDifferentKeys() {
        MessageIds ids = new MessageIds();
        List<String> keys = List.of("Order-1", "order-1", "ORDER-1", "órder-1", "order-1 ");
        List<DelayMessage> messages = keys.stream().map(k -> DelayMessage.scheduled(ids.next(slot, t0), app, "t", k,
                "p", null, t0 + 10, null, t0, k)).toList();

        store().insert(messages);

        assertThat(store().findByIdempotencyKeys(app, List.of("order-1"))).singleElement()
                .satisfies(found -> assertThat(found.idempotencyKey()).isEqualTo("order-1"));
        assertThat(store().findByIdempotencyKeys(app, keys)).containsExactlyInAnyOrderElementsOf(messages);
        assertThat(store().findByIdempotencyKeys(app.toUpperCase(), keys)).isEmpty();
    }

    @Test
    @Timeout(30)
    void tablesAreUtf8mb4NopadBinAndThePoolReadsCommitted() throws Exception {
        DataSource dataSource = context.getBean(DataSource.class);
        try (Connection c = dataSource.getConnection()) {
            Map<String, String> collations = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT table_name, table_collation FROM information_schema.tables"
                            + " WHERE table_schema = ? AND table_name LIKE 'delay\\_%'")) {
                ps.setString(1, server.database);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        collations.put(rs.getString(1), rs.getString(2));
                    }
                }
            }
            assertThat(collations).containsOnlyKeys("delay_message", "delay_message_app", "delay_message_topic",
                    "delay_node_snapshot", "delay_admin_user", "delay_admin_audit", "delay_app_stat", "delay_setting")
                    .allSatisfy((table, collation) -> assertThat(collation).as(table).isEqualTo("utf8mb4_nopad_bin"));
            assertThat(c.getTransactionIsolation()).isEqualTo(Connection.TRANSACTION_READ_COMMITTED);
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT @@tx_isolation")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("READ-COMMITTED");
            }
        }
    }
}
