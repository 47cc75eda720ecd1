package io.hourglass.store.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import io.hourglass.core.clock.DelayClock;
import io.hourglass.core.error.StoreUnavailableException;
import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.model.DueEntry;
import io.hourglass.core.model.MessageState;
import io.hourglass.core.spi.AdminStore;
import io.hourglass.core.spi.AppStore;
import io.hourglass.core.spi.MessageStore;
import io.hourglass.core.spi.MessageStore.MessagePage;
import io.hourglass.core.spi.MessageStore.MessageQuery;
import io.hourglass.store.tck.AdminStoreContract;
import io.hourglass.store.tck.AppStoreContract;
import io.hourglass.store.tck.MessageStoreContract;
import io.hourglass.testsupport.RequiresService;
import io.hourglass.testsupport.TestService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.context.ConfigurableApplicationContext;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The store contract on a real Cassandra 5.0 server ({@code scripts/lib/services.sh start_cassandra}), wired as in
 * production (Boot's CqlSession and {@code CassandraStoreAutoConfiguration}), in a keyspace of its own that is dropped
 * afterwards. A restart of the backend is a real stop and start of the server process under the running store, whose
 * driver must reconnect by itself. Without {@value CassandraTestServer#CONTACT_ENV} the class fails and says how to
 * start the server, or is skipped with HOURGLASS_SKIP_SERVICES=1 ({@link RequiresService}).
 */
@RequiresService(TestService.CASSANDRA)
class CassandraMessageStoreTest extends MessageStoreContract {

    private static CassandraTestServer server;
    private static ConfigurableApplicationContext context;

    @BeforeAll
    static void createKeyspace() {
        server = CassandraTestServer.fromEnvironment();
        context = server.startStore();
    }

    @AfterAll
    static void dropKeyspace() {
        if (context != null) {
            context.close();
        }
        if (server != null) {
            server.dropKeyspace();
        }
    }

    @Override
    protected MessageStore store() {
        return context.getBean(MessageStore.class);
    }

    @Override
    protected String storedHeaders(long id) {
        return session().execute(SimpleStatement.newInstance("SELECT headers FROM " + server.keyspace
                + ".message WHERE id = ?", id)).one().getString("headers");
    }

    /** Cassandra's search walks the by-state index slot by slot, in bounded pages (see MessageSearch). */
    @Override
    protected boolean searchIsOrderedByDeliverAt() {
        return false;
    }

    /** The app store contract on the same keyspace and wiring. */
    @Nested
    class Apps extends AppStoreContract {
        @Override
        protected AppStore appStore() {
            return context.getBean(AppStore.class);
        }
    }

    /** The admin store contract on the same keyspace and wiring. */
    @Nested
    class Admin extends AdminStoreContract {
        @Override
        protected AdminStore adminStore() {
            return context.getBean(AdminStore.class);
        }
    }

    /** Stops and starts the server process; the store and its session stay as they are and must reconnect. */
    @Override
    protected void restartBackend() throws Exception {
        TestService.CASSANDRA.assumeManagedHere();
        TestService.CASSANDRA.restart(false);
    }

    // ---------------------------------------------------------------- Cassandra specifics

    /**
     * "Nothing SCHEDULED is ever missing from the scan" across the closing of due buckets. A past bucket whose
     * messages were all delivered is closed by the sweeper's scan (its registry row goes, so later scans from 0 do
     * not read it); a late write into it (a repeating message whose next round is already past) opens it again, and
     * the scan finds the message.
     */
    @Test
    @Timeout(60)
    void aMessageWrittenIntoAClosedBucketIsStillFoundByTheScan() {
        AtomicLong now = new AtomicLong(t0 + Duration.ofDays(1).toMillis());
        CassandraMessageStore late = storeWithClock(now::get);
        long bucket = Math.floorDiv(t0 + 10, properties().bucketSize().toMillis());
        DelayMessage first = message(t0 + 10);
        late.insert(List.of(first));
        long token = token();
        assertThat(late.claim(List.of(first.id()), now.get(), token)).hasSize(1);
        assertThat(late.markDelivered(List.of(first.id()), token, now.get())).isEqualTo(1);
        assertThat(bucketRegistered(bucket)).isTrue();

        assertThat(late.scanScheduled(slot, 0, now.get(), Long.MIN_VALUE, 0, 100)).isEmpty();
        assertThat(bucketRegistered(bucket)).as("an empty past bucket is closed").isFalse();

        DelayMessage second = message(t0 + 20);
        late.insert(List.of(second));

        assertThat(bucketRegistered(bucket)).as("a write into a closed bucket opens it").isTrue();
        assertThat(late.scanScheduled(slot, 0, now.get(), Long.MIN_VALUE, 0, 100))
                .containsExactly(new DueEntry(second.id(), t0 + 20));
        assertThat(store().scanScheduled(slot, t0, t0 + 1000, Long.MIN_VALUE, 0, 100))
                .containsExactly(new DueEntry(second.id(), t0 + 20));
    }

    /**
     * An insert writes its due entries before its rows. An entry without a row is therefore skipped (never
     * returned) but kept while its insert may still be running, and deleted once it is older than stale-after (an
     * insert that failed and could not undo itself).
     */
    @Test
    @Timeout(60)
    void anIndexEntryWithoutItsMessageIsSkippedAndDeletedOnceStale() {
        AtomicLong now = new AtomicLong(t0);
        CassandraMessageStore store = storeWithClock(now::get);
        DelayMessage live = message(t0 + 10);
        DelayMessage neverWritten = message(t0 + 10);
        store.insert(List.of(live));
        new DueIndex(new Cql(session(), properties()), properties())
                .add(slot, t0 + 10, neverWritten.id(), MessageRows.hintTimestamp(0), now.get()).join();

        assertThat(store.scanScheduled(slot, t0, t0 + 100, Long.MIN_VALUE, 0, 10)).containsExactly(entry(live));
        assertThat(dueEntryExists(t0 + 10, neverWritten.id())).as("may be an insert in flight").isTrue();

        now.addAndGet(properties().staleAfter().toMillis() + 1);
        assertThat(store.scanScheduled(slot, t0, t0 + 100, Long.MIN_VALUE, 0, 10)).containsExactly(entry(live));
        assertThat(dueEntryExists(t0 + 10, neverWritten.id())).as("stale: deleted").isFalse();
        assertThat(dueEntryExists(t0 + 10, live.id())).isTrue();
    }

    /**
     * Guarantee 1 (acknowledged means durable) across a crash of the Cassandra JVM: four writers insert batches while
     * the server is killed with SIGKILL; after its restart (commit log replay) every insert that had returned is
     * there. With commitlog_sync periodic the commit log is written (mmap) before a write is acknowledged and only
     * fsynced every period: a killed JVM loses nothing, an OS crash could lose up to the period on that replica (see
     * docs/stores.md). Inserts that failed may or may not be there: their callers were told so and retry.
     */
    @Test
    @Timeout(300)
    void everyAcknowledgedInsertSurvivesAKillOfTheServer() throws Exception {
        TestService.CASSANDRA.assumeManagedHere();
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
                        batch.add(message(t0 + 1000 + i % 10_000)); // (failures while the server is down spin i)
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

            TestService.CASSANDRA.restart(true);

            int before = acknowledged.size();
            await().atMost(Duration.ofSeconds(180)).until(() -> acknowledged.size() >= before + 500);
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
        List<DueEntry> scanned = new ArrayList<>();
        long afterFireAt = Long.MIN_VALUE;
        long afterId = 0;
        for (List<DueEntry> page; !(page = store().scanScheduled(slot, t0, t0 + 20_000, afterFireAt, afterId,
                1000)).isEmpty(); ) {
            scanned.addAll(page);
            afterFireAt = page.get(page.size() - 1).fireAt();
            afterId = page.get(page.size() - 1).id();
        }
        Set<Long> seen = new HashSet<>(scanned.stream().map(DueEntry::id).toList());
        List<String> missing = acknowledged.stream().filter(id -> !seen.contains(id)).sorted().map(id -> {
            DelayMessage m = store().get(id).orElseThrow();
            long bucket = Math.floorDiv(m.fireAt(), properties().bucketSize().toMillis());
            return id + "@" + m.fireAt() + " bucket " + bucket + (bucketRegistered(bucket) ? "" : " (unregistered)")
                    + (dueEntryExists(m.fireAt(), id) ? " (entry)" : " (no entry)");
        }).toList();
        assertThat(missing).as("acknowledged but missing from the scan (of %d)", acknowledged.size()).isEmpty();
    }

    /**
     * The search's work per page is bounded: a filter the hints cannot answer (topic) costs a row read per message
     * of the state, at most max(100, 10 x limit) per page. With 250 messages to read past, pages end early, empty,
     * with a cursor, and the walk still finds exactly the matches.
     */
    @Test
    @Timeout(120)
    void aSearchPageEndsEarlyWhenItsBudgetIsSpentAndTheCursorContinues() {
        List<DelayMessage> noise = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
            noise.add(message(t0 + 10 + i));
        }
        store().insert(noise);
        List<DelayMessage> rare = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            DelayMessage m = message(t0 + 5);
            rare.add(DelayMessage.scheduled(m.id(), app, "rare-topic", null, "p", null, m.deliverAt(), null, t0, null));
        }
        store().insert(rare);
        MessageQuery q = new MessageQuery(app, "rare-topic", null, MessageState.SCHEDULED, null, null);

        List<DelayMessage> found = new ArrayList<>();
        int shortPagesWithCursor = 0;
        String cursor = null;
        do {
            MessagePage page = store().search(q, cursor, 1);
            assertThat(page.messages()).hasSizeLessThanOrEqualTo(1);
            if (page.messages().isEmpty() && page.nextCursor() != null) {
                shortPagesWithCursor++;
            }
            found.addAll(page.messages());
            cursor = page.nextCursor();
        } while (cursor != null);

        assertThat(found).containsExactlyInAnyOrderElementsOf(rare);
        assertThat(shortPagesWithCursor).isPositive();
    }

    private CassandraMessageStore storeWithClock(DelayClock clock) {
        return new CassandraMessageStore(new Cql(session(), properties()), properties(), clock);
    }

    private static CassandraStoreProperties properties() {
        return context.getBean(CassandraStoreProperties.class);
    }

    private static CqlSession session() {
        return context.getBean(CqlSession.class);
    }

    private boolean bucketRegistered(long bucket) {
        return session().execute(SimpleStatement.newInstance("SELECT bucket FROM " + server.keyspace
                + ".message_due_bucket WHERE slot = ? AND bucket = ?", slot, bucket)).one() != null;
    }

    private boolean dueEntryExists(long fireAt, long id) {
        long bucket = Math.floorDiv(fireAt, properties().bucketSize().toMillis());
        return session().execute(SimpleStatement.newInstance("SELECT id FROM " + server.keyspace
                + ".message_due WHERE slot = ? AND bucket = ? AND fire_at = ? AND id = ?", slot, bucket, fireAt, id))
                .one() != null;
    }

    private static DueEntry entry(DelayMessage m) {
        return new DueEntry(m.id(), m.fireAt());
    }
}
