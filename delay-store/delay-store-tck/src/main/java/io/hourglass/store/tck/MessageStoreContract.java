package io.hourglass.store.tck;

import io.hourglass.core.error.DuplicateMessageException;
import io.hourglass.core.error.StoreUnavailableException;
import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.model.DueEntry;
import io.hourglass.core.model.MessageIds;
import io.hourglass.core.model.MessageState;
import io.hourglass.core.model.PendingCount;
import io.hourglass.core.spi.MessageStore;
import io.hourglass.core.spi.MessageStore.MessagePage;
import io.hourglass.core.spi.MessageStore.MessageQuery;
import io.hourglass.core.spi.MessageStore.Rearm;
import io.hourglass.core.spi.MessageStore.Retry;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongUnaryOperator;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The contract every {@link MessageStore} must pass (MySQL/MariaDB, H2, Cassandra, ...). The app and admin sides
 * have contracts of their own ({@link AppStoreContract}, {@link AdminStoreContract}).
 *
 * <p>Use: in the store module, depend on {@code delay-store-tck} with test scope and extend this class:
 * <pre>{@code
 * class H2MessageStoreTest extends MessageStoreContract {
 *     protected MessageStore store() { return context.getBean(MessageStore.class); }
 * }
 * }</pre>
 * {@link #store()} is called on every use, so a subclass may hand back a new instance after
 * {@link #restartBackend()}.
 *
 * <p>Isolation: the tests share one backend and may run against a database that outlives the run. Each test
 * therefore works in a slot of its own (within this JVM), at a random time far in the future, and with an app key
 * of its own; counts are asserted as differences (before/after), and sets are
 * narrowed to the ids the test created. Tests run one at a time (no JUnit parallel execution).
 *
 * <p>Every time is a parameter (epoch ms, UTC): the suite never reads the wall clock to decide anything a store
 * does. Every test has a {@link Timeout}; waits use Awaitility, never a bare sleep.
 */
public abstract class MessageStoreContract {

    /** Each test instance takes the next slot, so tests of one run never see each other's slots. */
    private static final AtomicInteger NEXT_SLOT = new AtomicInteger(new Random().nextInt(MessageIds.MAX_SLOTS));
    private static final Duration RACE_TIMEOUT = Duration.ofSeconds(60);

    /** App key of this test; random so that rows of other tests and earlier runs never match. */
    protected final String app = "tck-" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40, 1L << 50), 36);
    /** The slot this test owns. */
    protected final int slot = nextSlot();
    /**
     * "Now" at the start of the test: a random ms far in the future (2027..2090). Tests use times from here to about
     * t0 + 10^5; with their own slot and a random t0, neither ids nor scan windows meet rows of other tests or of
     * earlier runs against the same database.
     */
    protected final long t0 = 1_800_000_000_000L + ThreadLocalRandom.current().nextLong(2_000_000_000_000L);

    private final MessageIds ids = new MessageIds();
    private final AtomicLong tokens = new AtomicLong(ThreadLocalRandom.current().nextLong(1, 1L << 48));
    /** Every id this test inserted (or tried to). */
    private final Set<Long> created = Collections.synchronizedSet(new HashSet<>());

    /** The store under test. Called on every use. */
    protected abstract MessageStore store();

    /**
     * Whether {@link MessageStore#search} returns its results ordered by (deliverAt, id), each page full up to the
     * limit while more match (MySQL/H2, the in-memory store). A store that answers in another order, or with short
     * pages before the end (Cassandra: bounded work per page), overrides this with false; the suite then checks only
     * what every store promises: every page within the limit, and all pages together exactly the matching messages.
     */
    protected boolean searchIsOrderedByDeliverAt() {
        return true;
    }

    /**
     * Stops and starts the backing server (or closes and reopens the embedded database) while the store is in use.
     * When this returns, the backend may still be starting: the suite waits with Awaitility, treating
     * {@link StoreUnavailableException} as "not yet". Default: the restart test is skipped.
     */
    protected void restartBackend() throws Exception {
        Assumptions.abort("this store's test does not implement restartBackend()");
    }

    /**
     * The headers of message {@code id} exactly as the store keeps them: the text of its {@code headers} column, null
     * when the column is null. The MySQL/H2 and Cassandra stores keep headers in one JSON format, written by a
     * {@code HeadersJson} class of their own (delay-core stays free of Jackson), and
     * {@link #headersAreKeptAsOneJsonObjectInTheClientsOrder} pins it, so that the copies cannot drift apart.
     * Default: that test is skipped (a store that keeps headers otherwise).
     */
    protected String storedHeaders(long id) {
        Assumptions.abort("this store's test does not implement storedHeaders(id)");
        return null;
    }

    // ---------------------------------------------------------------- insert and get

    @Test
    @Timeout(30)
    void insertedMessageRoundTripsEveryField() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("trace-id", "abc-123");
        headers.put("x-empty", "");
        headers.put("ünïcödé", "値 ✓ 😀");
        DelayMessage full = DelayMessage.scheduled(ids.next(slot, t0), app, "orders.created", "order-42",
                "{\"a\":1,\"text\":\"héllo 😀\"}", headers, t0 + 60_000, 30_000L, t0, "idem-" + app);
        DelayMessage bare = DelayMessage.scheduled(ids.next(slot, t0), app, "t", null, "", null, t0 + 1, null, t0,
                null);

        insert(full, bare);

        assertThat(store().get(full.id())).contains(full);
        assertThat(store().get(bare.id())).contains(bare);
        DelayMessage read = store().get(full.id()).orElseThrow();
        assertThat(read.headers()).containsExactlyInAnyOrderEntriesOf(headers);
        assertThat(read.repeatIntervalMs()).isEqualTo(30_000L);
        assertThat(read.slot()).isEqualTo(slot);
        DelayMessage readBare = store().get(bare.id()).orElseThrow();
        assertThat(readBare.key()).isNull();
        assertThat(readBare.repeatIntervalMs()).isNull();
        assertThat(readBare.idempotencyKey()).isNull();
        assertThat(readBare.headers()).isEmpty();
        assertThat(readBare.state()).isEqualTo(MessageState.SCHEDULED);
        assertThat(readBare.version()).isZero();
        assertThat(readBare.claimToken()).isZero();
        assertThat(readBare.claimedAt()).isZero();
        assertThat(readBare.lastError()).isNull();
    }

    /**
     * The stored format of headers: one JSON object, keys in the client's order, non-ASCII written as itself (not
     * escaped), only {@code "} and {@code \} escaped in these values; no headers is no JSON at all (null).
     */
    @Test
    @Timeout(30)
    void headersAreKeptAsOneJsonObjectInTheClientsOrder() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("z-first", "1");
        headers.put("quoted", "say \"hi\" \\o/");
        headers.put("ünïcödé", "値 ✓ 😀");
        headers.put("a-empty", "");
        DelayMessage with = DelayMessage.scheduled(ids.next(slot, t0), app, "t", null, "p", headers, t0 + 1, null, t0,
                null);
        DelayMessage without = DelayMessage.scheduled(ids.next(slot, t0), app, "t", null, "p", Map.of(), t0 + 1, null,
                t0, null);

        insert(with, without);

        assertThat(storedHeaders(with.id()))
                .isEqualTo("{\"z-first\":\"1\",\"quoted\":\"say \\\"hi\\\" \\\\o/\",\"ünïcödé\":\"値 ✓ 😀\","
                        + "\"a-empty\":\"\"}");
        assertThat(storedHeaders(without.id())).isNull();
        assertThat(store().get(with.id()).orElseThrow().headers()).containsExactlyEntriesOf(headers);
    }

    @Test
    @Timeout(30)
    void payloadOf256KiBRoundTrips() {
        StringBuilder sb = new StringBuilder();
        while (sb.length() < 256 * 1024 - 4) {
            sb.append(sb.length() % 100 == 0 ? "é" : "x"); // mostly ASCII, some 2-byte UTF-8
        }
        String payload = sb.substring(0, 256 * 1024 - 4);
        DelayMessage m = DelayMessage.scheduled(ids.next(slot, t0), app, "big", "k", payload, Map.of("h", "v"),
                t0 + 5, null, t0, null);

        insert(m);

        assertThat(store().get(m.id()).orElseThrow().payload()).isEqualTo(payload);
    }

    @Test
    @Timeout(10)
    void getOfUnknownIdIsEmpty() {
        assertThat(store().get(ids.next(slot, t0))).isEmpty();
    }

    @Test
    @Timeout(10)
    void insertOfNoMessagesDoesNothing() {
        long before = store().countScheduled(slot);
        store().insert(List.of());
        assertThat(store().countScheduled(slot)).isEqualTo(before);
    }

    @Test
    @Timeout(60)
    void batchOfThousandIsInsertedInOneCall() {
        List<DelayMessage> batch = messages(1000, i -> t0 + 1000 + i);
        long before = store().countScheduled(slot);

        store().insert(batch);

        assertThat(store().countScheduled(slot)).isEqualTo(before + 1000);
        for (DelayMessage m : List.of(batch.get(0), batch.get(499), batch.get(999))) {
            assertThat(store().get(m.id())).contains(m);
        }
    }

    @Test
    @Timeout(60)
    void batchContainingAnExistingIdInsertsNothing() {
        DelayMessage existing = message(t0 + 10);
        insert(existing);
        List<DelayMessage> batch = new ArrayList<>(messages(1000, i -> t0 + 20 + i));
        DelayMessage clash = DelayMessage.scheduled(existing.id(), app, "other", null, "clash", null, t0 + 99, null,
                t0, null);
        batch.set(500, clash);
        long before = store().countScheduled(slot);

        assertThatThrownBy(() -> store().insert(batch)).isInstanceOf(DuplicateMessageException.class);

        assertThat(store().countScheduled(slot)).isEqualTo(before);
        assertThat(store().get(batch.get(0).id())).isEmpty();
        assertThat(store().get(batch.get(999).id())).isEmpty();
        assertThat(store().get(existing.id())).contains(existing);
    }

    @Test
    @Timeout(60)
    void batchContainingTheSameIdTwiceInsertsNothing() {
        List<DelayMessage> batch = new ArrayList<>(messages(1000, i -> t0 + 20 + i));
        batch.set(999, batch.get(3));
        long before = store().countScheduled(slot);

        assertThatThrownBy(() -> store().insert(batch)).isInstanceOf(DuplicateMessageException.class);

        assertThat(store().countScheduled(slot)).isEqualTo(before);
        assertThat(store().get(batch.get(3).id())).isEmpty();
    }

    @Test
    @Timeout(30)
    void batchContainingTheSameIdempotencyKeyTwiceInsertsNothing() {
        // two retries of one submit gathered into the same group commit
        DelayMessage first = keyed(app, "retried", t0 + 10);
        DelayMessage retry = keyed(app, "retried", t0 + 10);
        DelayMessage other = message(t0 + 10);

        assertThatThrownBy(() -> store().insert(List.of(first, other, retry)))
                .isInstanceOf(DuplicateMessageException.class);

        assertThat(store().get(first.id())).isEmpty();
        assertThat(store().get(other.id())).isEmpty();
        assertThat(store().get(retry.id())).isEmpty();
        assertThat(store().findByIdempotencyKeys(app, List.of("retried"))).isEmpty();
    }

    @Test
    @Timeout(30)
    void duplicateIdempotencyKeyOfTheSameAppIsRejected() {
        DelayMessage first = keyed(app, "order-1", t0 + 10);
        insert(first);
        DelayMessage again = keyed(app, "order-1", t0 + 20);
        List<DelayMessage> batchWithAgain = List.of(message(t0 + 30), again, message(t0 + 40));

        assertThatThrownBy(() -> store().insert(List.of(again))).isInstanceOf(DuplicateMessageException.class);
        assertThatThrownBy(() -> store().insert(batchWithAgain)).isInstanceOf(DuplicateMessageException.class);

        assertThat(store().get(again.id())).isEmpty();
        assertThat(store().get(batchWithAgain.get(0).id())).isEmpty();
        assertThat(store().get(batchWithAgain.get(2).id())).isEmpty();
        assertThat(store().get(first.id())).contains(first);
    }

    @Test
    @Timeout(30)
    void sameIdempotencyKeyUnderAnotherAppIsAccepted() {
        DelayMessage mine = keyed(app, "shared-key", t0 + 10);
        DelayMessage theirs = keyed(app + "-other", "shared-key", t0 + 10);

        insert(mine);
        insert(theirs);

        assertThat(store().get(mine.id())).contains(mine);
        assertThat(store().get(theirs.id())).contains(theirs);
    }

    @Test
    @Timeout(30)
    void messagesWithoutIdempotencyKeyNeverCollide() {
        List<DelayMessage> batch = messages(50, i -> t0 + 5);
        insert(batch);
        insert(messages(50, i -> t0 + 5));
        assertThat(batch).allSatisfy(m -> assertThat(store().get(m.id())).contains(m));
    }

    @Test
    @Timeout(30)
    void findByIdempotencyKeysReturnsTheAppsMessagesWithThoseKeys() {
        String otherApp = app + "-b";
        DelayMessage k1 = keyed(app, "k1", t0 + 1);
        DelayMessage k2 = keyed(app, "k2", t0 + 2);
        DelayMessage k3 = keyed(app, "k3", t0 + 3);
        DelayMessage otherK1 = keyed(otherApp, "k1", t0 + 4);
        insert(k1, k2, k3, otherK1, message(t0 + 5));

        assertThat(store().findByIdempotencyKeys(app, List.of("k1", "k3", "unknown")))
                .containsExactlyInAnyOrder(k1, k3);
        assertThat(store().findByIdempotencyKeys(otherApp, List.of("k1", "k2"))).containsExactly(otherK1);
        assertThat(store().findByIdempotencyKeys(app, List.of())).isEmpty();
        assertThat(store().findByIdempotencyKeys(app + "-nobody", List.of("k1"))).isEmpty();
    }

    @Test
    @Timeout(30)
    void theRequestDigestOfAnIdempotentSubmitIsKept() {
        DelayMessage hashed = DelayMessage.scheduled(ids.next(slot, t0), app, "t", null, "p", null, t0 + 1, null, t0,
                "digest-key", "n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg");
        insert(hashed);

        assertThat(store().findByIdempotencyKeys(app, List.of("digest-key"))).singleElement()
                .satisfies(found -> assertThat(found.requestHash()).isEqualTo(hashed.requestHash()));
        assertThat(store().get(hashed.id()).orElseThrow().requestHash()).isEqualTo(hashed.requestHash());
    }

    // ---------------------------------------------------------------- scanScheduled

    @Test
    @Timeout(30)
    void scanReturnsScheduledMessagesOrderedByFireAtThenId() {
        List<DelayMessage> batch = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            batch.add(message(t0 + 1000 + (i * 7919L) % 13)); // 13 distinct times, several messages each
        }
        Collections.shuffle(batch, new Random(42));
        insert(batch);

        List<DueEntry> page = store().scanScheduled(slot, t0, t0 + 100_000, Long.MIN_VALUE, 0, 1000);

        assertThat(page).isEqualTo(sortedEntries(batch));
    }

    @Test
    @Timeout(30)
    void scanRangeIncludesFromAndExcludesTo() {
        long from = t0 + 10_000;
        long to = t0 + 20_000;
        DelayMessage before = message(from - 1);
        DelayMessage atFrom = message(from);
        DelayMessage lastIn = message(to - 1);
        DelayMessage atTo = message(to);
        insert(before, atFrom, lastIn, atTo);

        List<DueEntry> page = store().scanScheduled(slot, from, to, Long.MIN_VALUE, 0, 100);

        assertThat(page).containsExactly(entry(atFrom), entry(lastIn));
        assertThat(store().scanScheduled(slot, from, from, Long.MIN_VALUE, 0, 100)).isEmpty();
    }

    @Test
    @Timeout(60)
    void keysetPagingWalksManyMessagesWithTheSameFireAtWithoutGapsOrRepeats() {
        List<DelayMessage> batch = new ArrayList<>();
        batch.addAll(messages(40, i -> t0 + 500));
        batch.addAll(messages(150, i -> t0 + 600));        // many on one ms: paging must go by id within it
        batch.addAll(messages(40, i -> t0 + 601 + i % 3));
        insert(batch);

        List<DueEntry> all = scanAll(slot, t0, t0 + 10_000, 7);

        assertThat(all).isEqualTo(sortedEntries(batch));
        // a cursor in the middle of the same-fireAt run resumes right after it
        List<DueEntry> expected = sortedEntries(batch);
        DueEntry cursor = expected.get(100);
        assertThat(store().scanScheduled(slot, t0, t0 + 10_000, cursor.fireAt(), cursor.id(), 5))
                .isEqualTo(expected.subList(101, 106));
    }

    @Test
    @Timeout(30)
    void scanReturnsOnlyScheduledMessages() {
        DelayMessage scheduled = message(t0 + 10);
        DelayMessage cancelled = message(t0 + 10);
        DelayMessage firing = message(t0 + 10);
        DelayMessage delivered = message(t0 + 10);
        insert(scheduled, cancelled, firing, delivered);
        long now = t0 + 100;
        assertThat(store().cancel(cancelled.id(), now)).isTrue();
        long token = token();
        assertThat(store().claim(List.of(firing.id(), delivered.id()), now, token)).hasSize(2);
        assertThat(store().markDelivered(List.of(delivered.id()), token, now)).isEqualTo(1);

        assertThat(store().scanScheduled(slot, t0, t0 + 1000, Long.MIN_VALUE, 0, 100))
                .containsExactly(entry(scheduled));
    }

    @Test
    @Timeout(30)
    void scanReturnsOnlyTheSlotAsked() {
        int otherSlot = nextSlot();
        DelayMessage mine = message(t0 + 10);
        DelayMessage theirs = message(otherSlot, t0 + 10);
        insert(mine, theirs);

        assertThat(store().scanScheduled(slot, t0, t0 + 1000, Long.MIN_VALUE, 0, 100)).containsExactly(entry(mine));
        assertThat(store().scanScheduled(otherSlot, t0, t0 + 1000, Long.MIN_VALUE, 0, 100))
                .containsExactly(entry(theirs));
    }

    /**
     * The preloader's walk over one slot of 100,000 messages (two per ms over 50 s), inserted in batches of 1000 and
     * read back in windows of 1.5 s, each paged by 500 with the keyset cursor: every message is seen exactly once,
     * in (fireAt, id) order. The timeout is generous for slow shared machines; nothing here measures speed.
     */
    @Test
    @Timeout(900)
    void watermarkPagingOverHundredThousandMessagesInOneSlotLosesAndRepeatsNothing() {
        int n = 100_000;
        long span = 50_000;
        List<DelayMessage> all = new ArrayList<>(n);
        for (int b = 0; b < n / 1000; b++) {
            List<DelayMessage> batch = new ArrayList<>(1000);
            for (int i = 0; i < 1000; i++) {
                int k = b * 1000 + i;
                batch.add(message(t0 + (k * 7L) % span)); // two messages per ms on average
            }
            store().insert(batch);
            created.addAll(batch.stream().map(DelayMessage::id).toList());
            all.addAll(batch);
        }

        // the preloader's walk: windows [w, w + step) in turn, each paged with the keyset cursor
        List<DueEntry> seen = new ArrayList<>(n);
        long step = 1_500;
        for (long w = t0; w < t0 + span; w += step) {
            seen.addAll(scanAll(slot, w, w + step, 500));
        }

        assertThat(seen).hasSize(n);
        assertThat(seen.stream().map(DueEntry::id).collect(Collectors.toSet())).hasSize(n);
        assertThat(seen).isEqualTo(sortedEntries(all));
    }

    // ---------------------------------------------------------------- claim

    @Test
    @Timeout(30)
    void claimTakesDueScheduledMessagesAndReturnsThemComplete() {
        long now = t0 + 1000;
        DelayMessage past = DelayMessage.scheduled(ids.next(slot, t0), app, "t", "k", "payload-1",
                Map.of("h1", "v1", "h2", "v2"), now - 500, 60_000L, t0, "idem-" + app);
        DelayMessage dueNow = message(now);
        DelayMessage future = message(now + 1);
        DelayMessage cancelled = message(now - 10);
        insert(past, dueNow, future, cancelled);
        assertThat(store().cancel(cancelled.id(), t0 + 1)).isTrue();
        long token = token();

        List<DelayMessage> claimed = store().claim(
                List.of(past.id(), dueNow.id(), future.id(), cancelled.id(), ids.next(slot, t0)), now, token);

        assertThat(claimed).containsExactlyInAnyOrder(
                MessageCopy.claimed(past, token, now), MessageCopy.claimed(dueNow, token, now));
        DelayMessage firing = store().get(past.id()).orElseThrow();
        assertThat(firing).isEqualTo(MessageCopy.claimed(past, token, now));
        assertThat(firing.state()).isEqualTo(MessageState.FIRING);
        assertThat(firing.attempts()).isEqualTo(1);
        assertThat(firing.version()).isEqualTo(1);
        assertThat(firing.payload()).isEqualTo("payload-1");
        assertThat(firing.headers()).isEqualTo(Map.of("h1", "v1", "h2", "v2"));
        assertThat(store().get(future.id())).contains(future);
        assertThat(store().get(cancelled.id()).orElseThrow().state()).isEqualTo(MessageState.CANCELLED);
    }

    @Test
    @Timeout(30)
    void claimNeverTakesAMessageBeforeItsFireAt() {
        List<DelayMessage> batch = messages(200, i -> t0 + 1000 + i * 10L);
        insert(batch);
        List<Long> all = idsOf(batch);

        assertThat(store().claim(List.of(batch.get(0).id()), batch.get(0).fireAt() - 1, token())).isEmpty();
        long now = t0 + 1000 + 995; // due: i * 10 <= 995, i.e. i = 0..99
        List<DelayMessage> claimed = store().claim(all, now, token());

        assertThat(claimed).hasSize(100).allSatisfy(m -> assertThat(m.fireAt()).isLessThanOrEqualTo(now));
        assertThat(idsOf(claimed)).containsExactlyInAnyOrderElementsOf(all.subList(0, 100));
        assertThat(all.subList(100, 200)).allSatisfy(id ->
                assertThat(store().get(id).orElseThrow().state()).isEqualTo(MessageState.SCHEDULED));
    }

    @Test
    @Timeout(30)
    void claimedMessageCannotBeClaimedAgain() {
        DelayMessage m = message(t0 + 10);
        insert(m);
        long first = token();

        assertThat(store().claim(List.of(m.id()), t0 + 20, first)).hasSize(1);
        assertThat(store().claim(List.of(m.id()), t0 + 30, token())).isEmpty();

        assertThat(store().get(m.id())).contains(MessageCopy.claimed(m, first, t0 + 20));
    }

    @Test
    @Timeout(10)
    void claimOfNoIdsOrUnknownIdsIsEmpty() {
        assertThat(store().claim(List.of(), t0, token())).isEmpty();
        assertThat(store().claim(List.of(ids.next(slot, t0), ids.next(slot, t0)), t0 + 1, token())).isEmpty();
    }

    @Test
    @Timeout(120)
    void largeClaimsAndTransitionsSpanningManyStatementsChangeEveryRow() {
        List<DelayMessage> batch = messages(1300, i -> t0 + i % 50);
        insert(batch);
        List<Long> all = idsOf(batch);
        long now = t0 + 100;
        long token = token();

        List<DelayMessage> claimed = store().claim(all, now, token);
        assertThat(idsOf(claimed)).containsExactlyInAnyOrderElementsOf(all);

        List<Long> deliver = all.subList(0, 600);
        List<Long> rearm = all.subList(600, 1200);
        List<Long> retry = all.subList(1200, 1300);
        assertThat(store().markDelivered(deliver, token, now + 1)).isEqualTo(600);
        assertThat(store().rearm(rearm.stream().map(id -> new Rearm(id, t0 + 5000 + id % 7)).toList(), token,
                now + 1)).isEqualTo(600);
        assertThat(store().retryLater(retry.stream().map(id -> new Retry(id, t0 + 7000 + id % 5, "e" + id)).toList(),
                token, now + 1)).isEqualTo(100);

        assertThat(rearm).allSatisfy(id -> {
            DelayMessage m = store().get(id).orElseThrow();
            assertThat(m.state()).isEqualTo(MessageState.SCHEDULED);
            assertThat(m.fireAt()).isEqualTo(t0 + 5000 + id % 7);
        });
        assertThat(retry).allSatisfy(id -> {
            DelayMessage m = store().get(id).orElseThrow();
            assertThat(m.fireAt()).isEqualTo(t0 + 7000 + id % 5);
            assertThat(m.lastError()).isEqualTo("e" + id);
        });
        assertThat(store().countScheduled(slot)).isGreaterThanOrEqualTo(700);
    }

    @Test
    @Timeout(120)
    void twoClaimersRacingForTheSameMessagesEachMessageIsWonExactlyOnce() throws Exception {
        for (int round = 0; round < 25; round++) {
            List<DelayMessage> batch = messages(80, i -> t0 + 10);
            insert(batch);
            List<Long> forward = idsOf(batch);
            List<Long> shuffled = new ArrayList<>(forward);
            Collections.shuffle(shuffled);
            long tokenA = token();
            long tokenB = token();
            long now = t0 + 100 + round;

            Raced<List<Long>, List<Long>> r = race(
                    () -> claimInGroups(forward, now, tokenA, 7),
                    () -> claimInGroups(shuffled, now, tokenB, 11));

            Set<Long> a = new HashSet<>(r.left());
            Set<Long> b = new HashSet<>(r.right());
            assertThat(r.left()).doesNotHaveDuplicates();
            assertThat(r.right()).doesNotHaveDuplicates();
            assertThat(intersection(a, b)).as("round %d: claimed by both", round).isEmpty();
            Set<Long> union = new HashSet<>(a);
            union.addAll(b);
            assertThat(union).as("round %d: claimed by neither", round).containsExactlyInAnyOrderElementsOf(forward);
            for (Long id : forward) {
                DelayMessage m = store().get(id).orElseThrow();
                assertThat(m.claimToken()).isEqualTo(a.contains(id) ? tokenA : tokenB);
                assertThat(m.attempts()).isEqualTo(1);
                assertThat(m.version()).isEqualTo(1);
            }
        }
    }

    // ---------------------------------------------------------------- cancel

    @Test
    @Timeout(30)
    void cancelMovesAScheduledMessageToCancelled() {
        DelayMessage m = message(t0 + 10_000);
        insert(m);

        assertThat(store().cancel(m.id(), t0 + 5)).isTrue();

        DelayMessage read = store().get(m.id()).orElseThrow();
        assertThat(read.state()).isEqualTo(MessageState.CANCELLED);
        assertThat(read.updatedAt()).isEqualTo(t0 + 5);
        assertThat(read.version()).isGreaterThan(m.version());
        assertThat(store().cancel(m.id(), t0 + 6)).isFalse();
        assertThat(store().claim(List.of(m.id()), t0 + 20_000, token())).isEmpty();
    }

    @Test
    @Timeout(30)
    void cancelOfAFiringOrDeliveredMessageReturnsFalseAndChangesNothing() {
        DelayMessage firing = message(t0 + 10);
        DelayMessage delivered = message(t0 + 10);
        insert(firing, delivered);
        long token = token();
        store().claim(List.of(firing.id(), delivered.id()), t0 + 20, token);
        store().markDelivered(List.of(delivered.id()), token, t0 + 30);
        DelayMessage firingBefore = store().get(firing.id()).orElseThrow();
        DelayMessage deliveredBefore = store().get(delivered.id()).orElseThrow();

        assertThat(store().cancel(firing.id(), t0 + 40)).isFalse();
        assertThat(store().cancel(delivered.id(), t0 + 40)).isFalse();

        assertThat(store().get(firing.id())).contains(firingBefore);
        assertThat(store().get(delivered.id())).contains(deliveredBefore);
    }

    @Test
    @Timeout(10)
    void cancelOfAnUnknownIdReturnsFalse() {
        assertThat(store().cancel(ids.next(slot, t0), t0)).isFalse();
    }

    @Test
    @Timeout(120)
    void cancelRacingAClaimExactlyOneOfThemWins() throws Exception {
        for (int round = 0; round < 25; round++) {
            List<DelayMessage> batch = messages(60, i -> t0 + 10);
            insert(batch);
            List<Long> all = idsOf(batch);
            List<Long> cancelOrder = new ArrayList<>(all);
            Collections.shuffle(cancelOrder);
            long token = token();
            long now = t0 + 100 + round;

            Raced<List<Long>, List<Long>> r = race(
                    () -> {
                        List<Long> cancelled = new ArrayList<>();
                        for (Long id : cancelOrder) {
                            if (store().cancel(id, now)) {
                                cancelled.add(id);
                            }
                        }
                        return cancelled;
                    },
                    () -> claimInGroups(all, now, token, 5));

            Set<Long> cancelled = new HashSet<>(r.left());
            Set<Long> claimed = new HashSet<>(r.right());
            assertThat(intersection(cancelled, claimed)).as("round %d: both won", round).isEmpty();
            assertThat(cancelled.size() + claimed.size()).as("round %d: neither won", round).isEqualTo(all.size());
            for (Long id : all) {
                assertThat(store().get(id).orElseThrow().state())
                        .isEqualTo(cancelled.contains(id) ? MessageState.CANCELLED : MessageState.FIRING);
            }
        }
    }

    // ---------------------------------------------------------------- reschedule

    @Test
    @Timeout(30)
    void rescheduleMovesDeliverAtAndFireAtAndTheScanFollows() {
        DelayMessage m = message(t0 + 1000);
        insert(m);

        Optional<DelayMessage> moved = store().reschedule(m.id(), t0 + 9000, -1, t0 + 5);

        DelayMessage expected = MessageCopy.of(m).deliverAt(t0 + 9000).fireAt(t0 + 9000).updatedAt(t0 + 5)
                .version(moved.map(DelayMessage::version).orElse(-1L)).build();
        assertThat(moved).contains(expected);
        assertThat(expected.version()).isGreaterThan(m.version());
        assertThat(store().get(m.id())).contains(expected);
        assertThat(store().scanScheduled(slot, t0, t0 + 5000, Long.MIN_VALUE, 0, 10)).isEmpty();
        assertThat(store().scanScheduled(slot, t0 + 5000, t0 + 10_000, Long.MIN_VALUE, 0, 10))
                .containsExactly(new DueEntry(m.id(), t0 + 9000));
        assertThat(store().claim(List.of(m.id()), t0 + 1000, token())).isEmpty();
    }

    @Test
    @Timeout(30)
    void rescheduleWithTheCurrentVersionSucceedsAndWithAStaleVersionChangesNothing() {
        DelayMessage m = message(t0 + 1000);
        insert(m);

        DelayMessage moved = store().reschedule(m.id(), t0 + 2000, m.version(), t0 + 1).orElseThrow();
        assertThat(moved.deliverAt()).isEqualTo(t0 + 2000);

        assertThat(store().reschedule(m.id(), t0 + 3000, m.version(), t0 + 2)).isEmpty();
        assertThat(store().get(m.id())).contains(moved);
        assertThat(store().reschedule(m.id(), t0 + 3000, moved.version(), t0 + 3).orElseThrow().fireAt())
                .isEqualTo(t0 + 3000);
    }

    @Test
    @Timeout(30)
    void rescheduleOnlyChangesScheduledMessages() {
        DelayMessage firing = message(t0 + 10);
        DelayMessage cancelled = message(t0 + 10);
        insert(firing, cancelled);
        store().claim(List.of(firing.id()), t0 + 20, token());
        store().cancel(cancelled.id(), t0 + 20);
        DelayMessage firingBefore = store().get(firing.id()).orElseThrow();
        DelayMessage cancelledBefore = store().get(cancelled.id()).orElseThrow();

        assertThat(store().reschedule(firing.id(), t0 + 5000, -1, t0 + 30)).isEmpty();
        assertThat(store().reschedule(cancelled.id(), t0 + 5000, -1, t0 + 30)).isEmpty();
        assertThat(store().reschedule(ids.next(slot, t0), t0 + 5000, -1, t0 + 30)).isEmpty();

        assertThat(store().get(firing.id())).contains(firingBefore);
        assertThat(store().get(cancelled.id())).contains(cancelledBefore);
    }

    @Test
    @Timeout(120)
    void rescheduleRacingAClaimExactlyOneOfThemWins() throws Exception {
        for (int round = 0; round < 25; round++) {
            List<DelayMessage> batch = messages(60, i -> t0 + 10);
            insert(batch);
            List<Long> all = idsOf(batch);
            List<Long> order = new ArrayList<>(all);
            Collections.shuffle(order);
            long token = token();
            long now = t0 + 100 + round;
            long later = t0 + 50_000;

            Raced<List<Long>, List<Long>> r = race(
                    () -> {
                        List<Long> moved = new ArrayList<>();
                        for (Long id : order) {
                            store().reschedule(id, later, -1, now).ifPresent(m -> moved.add(m.id()));
                        }
                        return moved;
                    },
                    () -> claimInGroups(all, now, token, 5));

            Set<Long> moved = new HashSet<>(r.left());
            Set<Long> claimed = new HashSet<>(r.right());
            assertThat(intersection(moved, claimed)).as("round %d: both won", round).isEmpty();
            assertThat(moved.size() + claimed.size()).as("round %d: neither won", round).isEqualTo(all.size());
            for (Long id : all) {
                DelayMessage m = store().get(id).orElseThrow();
                if (moved.contains(id)) {
                    assertThat(m.state()).isEqualTo(MessageState.SCHEDULED);
                    assertThat(m.fireAt()).isEqualTo(later);
                } else {
                    assertThat(m.state()).isEqualTo(MessageState.FIRING);
                    assertThat(m.deliverAt()).isEqualTo(t0 + 10);
                }
            }
        }
    }

    // ---------------------------------------------------------------- FIRING -> *

    @Test
    @Timeout(30)
    void markDeliveredChangesOnlyRowsHeldByTheToken() {
        DelayMessage a1 = message(t0 + 10);
        DelayMessage a2 = message(t0 + 10);
        DelayMessage b1 = message(t0 + 10);
        DelayMessage scheduled = message(t0 + 10);
        insert(a1, a2, b1, scheduled);
        long tokenA = token();
        long tokenB = token();
        store().claim(List.of(a1.id(), a2.id()), t0 + 20, tokenA);
        store().claim(List.of(b1.id()), t0 + 20, tokenB);
        DelayMessage b1Before = store().get(b1.id()).orElseThrow();

        int changed = store().markDelivered(List.of(a1.id(), a2.id(), b1.id(), scheduled.id()), tokenA, t0 + 30);

        assertThat(changed).isEqualTo(2);
        DelayMessage delivered = store().get(a1.id()).orElseThrow();
        assertThat(delivered.state()).isEqualTo(MessageState.DELIVERED);
        assertThat(delivered.updatedAt()).isEqualTo(t0 + 30);
        assertThat(delivered.version()).isGreaterThan(1);
        assertThat(store().get(b1.id())).contains(b1Before);
        assertThat(store().get(scheduled.id())).contains(scheduled);
        assertThat(store().markDelivered(List.of(a1.id(), a2.id()), tokenA, t0 + 40)).isZero();
        assertThat(store().markDelivered(List.of(), tokenA, t0 + 40)).isZero();
    }

    @Test
    @Timeout(30)
    void aWrongClaimTokenChangesNothing() {
        DelayMessage m = DelayMessage.scheduled(ids.next(slot, t0), app, "t", null, "p", null, t0 + 10, 1000L, t0,
                null);
        insert(m);
        long token = token();
        store().claim(List.of(m.id()), t0 + 20, token);
        DelayMessage firing = store().get(m.id()).orElseThrow();
        long wrong = token + 1;

        assertThat(store().markDelivered(List.of(m.id()), wrong, t0 + 30)).isZero();
        assertThat(store().rearm(List.of(new Rearm(m.id(), t0 + 1010)), wrong, t0 + 30)).isZero();
        assertThat(store().retryLater(List.of(new Retry(m.id(), t0 + 500, "x")), wrong, t0 + 30)).isZero();
        assertThat(store().markDead(List.of(m.id()), wrong, "x", t0 + 30)).isZero();
        assertThat(store().markDead(List.of(m.id()), 0L, "x", t0 + 30)).isZero();

        assertThat(store().get(m.id())).contains(firing);
    }

    @Test
    @Timeout(30)
    void transitionsOutOfFiringDoNotTouchMessagesThatAreNotFiring() {
        DelayMessage m = message(t0 + 10);
        insert(m);
        long token = token();
        store().claim(List.of(m.id()), t0 + 20, token);
        store().markDelivered(List.of(m.id()), token, t0 + 30);
        DelayMessage delivered = store().get(m.id()).orElseThrow();

        assertThat(store().rearm(List.of(new Rearm(m.id(), t0 + 1010)), token, t0 + 40)).isZero();
        assertThat(store().retryLater(List.of(new Retry(m.id(), t0 + 500, "x")), token, t0 + 40)).isZero();
        assertThat(store().markDead(List.of(m.id()), token, "x", t0 + 40)).isZero();

        assertThat(store().get(m.id())).contains(delivered);
    }

    @Test
    @Timeout(30)
    void rearmPutsARepeatingMessageBackToScheduledForItsNextRound() {
        DelayMessage m = DelayMessage.scheduled(ids.next(slot, t0), app, "tick", "k", "p", Map.of("a", "b"),
                t0 + 1000, 1000L, t0, null);
        insert(m);
        long token = token();
        store().claim(List.of(m.id()), t0 + 1000, token);
        store().retryLater(List.of(new Retry(m.id(), t0 + 1200, "first try failed")), token, t0 + 1001);
        store().claim(List.of(m.id()), t0 + 1200, token);        // attempts is now 2
        assertThat(store().get(m.id()).orElseThrow().attempts()).isEqualTo(2);

        assertThat(store().rearm(List.of(new Rearm(m.id(), t0 + 2000)), token, t0 + 1201)).isEqualTo(1);

        DelayMessage next = store().get(m.id()).orElseThrow();
        assertThat(next.state()).isEqualTo(MessageState.SCHEDULED);
        assertThat(next.deliverAt()).isEqualTo(t0 + 2000);
        assertThat(next.fireAt()).isEqualTo(t0 + 2000);
        assertThat(next.attempts()).isZero();
        assertThat(next.updatedAt()).isEqualTo(t0 + 1201);
        assertThat(next.repeatIntervalMs()).isEqualTo(1000L);
        assertThat(next.payload()).isEqualTo("p");
        assertThat(store().scanScheduled(slot, t0, t0 + 3000, Long.MIN_VALUE, 0, 10))
                .containsExactly(new DueEntry(m.id(), t0 + 2000));
        assertThat(store().claim(List.of(m.id()), t0 + 1999, token())).isEmpty();
        assertThat(store().claim(List.of(m.id()), t0 + 2000, token())).hasSize(1);
    }

    @Test
    @Timeout(30)
    void retryLaterKeepsDeliverAtMovesFireAtAndKeepsTheError() {
        DelayMessage m = message(t0 + 1000);
        insert(m);
        long token = token();
        store().claim(List.of(m.id()), t0 + 1000, token);

        assertThat(store().retryLater(List.of(new Retry(m.id(), t0 + 6000, "broker down")), token, t0 + 1001))
                .isEqualTo(1);

        DelayMessage retry = store().get(m.id()).orElseThrow();
        assertThat(retry.state()).isEqualTo(MessageState.SCHEDULED);
        assertThat(retry.deliverAt()).isEqualTo(t0 + 1000);
        assertThat(retry.fireAt()).isEqualTo(t0 + 6000);
        assertThat(retry.lastError()).isEqualTo("broker down");
        assertThat(retry.attempts()).isEqualTo(1);
        assertThat(retry.updatedAt()).isEqualTo(t0 + 1001);
        assertThat(store().scanScheduled(slot, t0, t0 + 10_000, Long.MIN_VALUE, 0, 10))
                .containsExactly(new DueEntry(m.id(), t0 + 6000));
        assertThat(store().claim(List.of(m.id()), t0 + 5999, token())).isEmpty();
        assertThat(store().claim(List.of(m.id()), t0 + 6000, token()))
                .singleElement().satisfies(again -> assertThat(again.attempts()).isEqualTo(2));
    }

    @Test
    @Timeout(30)
    void postponeMovesFireAtWithoutCountingTheClaimAsAnAttempt() {
        DelayMessage m = message(t0 + 1000);
        insert(m);
        long token = token();
        store().claim(List.of(m.id()), t0 + 1000, token);

        assertThat(store().postpone(List.of(new Retry(m.id(), t0 + 31_000, "app disabled")), token() , t0 + 1001))
                .as("another claim's token changes nothing").isZero();
        assertThat(store().postpone(List.of(new Retry(m.id(), t0 + 31_000, "app disabled")), token, t0 + 1001))
                .isEqualTo(1);

        DelayMessage held = store().get(m.id()).orElseThrow();
        assertThat(held.state()).isEqualTo(MessageState.SCHEDULED);
        assertThat(held.deliverAt()).isEqualTo(t0 + 1000);
        assertThat(held.fireAt()).isEqualTo(t0 + 31_000);
        assertThat(held.attempts()).isZero();
        assertThat(held.lastError()).isEqualTo("app disabled");
        assertThat(store().scanScheduled(slot, t0, t0 + 40_000, Long.MIN_VALUE, 0, 10))
                .containsExactly(new DueEntry(m.id(), t0 + 31_000));
        assertThat(store().claim(List.of(m.id()), t0 + 31_000, token()))
                .singleElement().satisfies(again -> assertThat(again.attempts()).isEqualTo(1));
    }

    @Test
    @Timeout(30)
    void anErrorOfAnyLengthIsAcceptedAndKeptAtLeastInPart() {
        DelayMessage m = message(t0 + 10);
        DelayMessage n = message(t0 + 10);
        insert(m, n);
        long token = token();
        store().claim(List.of(m.id(), n.id()), t0 + 20, token);
        String longError = "é".repeat(3000) + "end";

        assertThat(store().retryLater(List.of(new Retry(m.id(), t0 + 500, longError)), token, t0 + 30)).isEqualTo(1);
        assertThat(store().markDead(List.of(n.id()), token, longError, t0 + 30)).isEqualTo(1);

        assertThat(store().get(m.id()).orElseThrow().lastError()).isNotEmpty().satisfies(e ->
                assertThat(longError).startsWith(e));
        assertThat(store().get(n.id()).orElseThrow().lastError()).isNotEmpty().satisfies(e ->
                assertThat(longError).startsWith(e));
    }

    @Test
    @Timeout(30)
    void markDeadMovesFiringToDeadWithTheError() {
        DelayMessage m = message(t0 + 10);
        insert(m);
        long token = token();
        store().claim(List.of(m.id()), t0 + 20, token);

        assertThat(store().markDead(List.of(m.id()), token, "attempt limit reached", t0 + 30)).isEqualTo(1);

        DelayMessage dead = store().get(m.id()).orElseThrow();
        assertThat(dead.state()).isEqualTo(MessageState.DEAD);
        assertThat(dead.lastError()).isEqualTo("attempt limit reached");
        assertThat(dead.updatedAt()).isEqualTo(t0 + 30);
        assertThat(store().claim(List.of(m.id()), t0 + 40, token())).isEmpty();
        assertThat(store().cancel(m.id(), t0 + 40)).isFalse();
    }

    @Test
    @Timeout(30)
    void redriveBringsADeadMessageBackToScheduledWithAFreshRetrySchedule() {
        DelayMessage m = message(t0 + 10);
        insert(m);
        long token = token();
        store().claim(List.of(m.id()), t0 + 20, token);
        store().markDead(List.of(m.id()), token, "gave up after 3 attempts", t0 + 30);

        DelayMessage redriven = store().redrive(m.id(), t0 + 5000, t0 + 40).orElseThrow();

        assertThat(redriven.state()).isEqualTo(MessageState.SCHEDULED);
        assertThat(redriven.deliverAt()).isEqualTo(t0 + 5000);
        assertThat(redriven.fireAt()).isEqualTo(t0 + 5000);
        assertThat(redriven.attempts()).isZero();
        assertThat(redriven.lastError()).isNull();
        assertThat(redriven.updatedAt()).isEqualTo(t0 + 40);
        assertThat(redriven.payload()).isEqualTo(m.payload());
        assertThat(store().get(m.id())).contains(redriven);
        assertThat(store().scanScheduled(slot, t0 + 4000, t0 + 6000, Long.MIN_VALUE, 0, 10))
                .containsExactly(new DueEntry(m.id(), t0 + 5000));
        assertThat(store().claim(List.of(m.id()), t0 + 4999, token())).as("never early").isEmpty();
        assertThat(store().claim(List.of(m.id()), t0 + 5000, token())).hasSize(1);
    }

    @Test
    @Timeout(30)
    void redriveOnlyChangesDeadMessages() {
        DelayMessage scheduled = message(t0 + 10);
        DelayMessage firing = message(t0 + 10);
        DelayMessage delivered = message(t0 + 10);
        insert(scheduled, firing, delivered);
        long token = token();
        store().claim(List.of(firing.id(), delivered.id()), t0 + 20, token);
        store().markDelivered(List.of(delivered.id()), token, t0 + 30);
        List<DelayMessage> before = List.of(store().get(scheduled.id()).orElseThrow(),
                store().get(firing.id()).orElseThrow(), store().get(delivered.id()).orElseThrow());

        for (DelayMessage m : before) {
            assertThat(store().redrive(m.id(), t0 + 5000, t0 + 40)).as("%s", m.state()).isEmpty();
            assertThat(store().get(m.id())).contains(m);
        }
        assertThat(store().redrive(ids.next(slot, t0), t0 + 5000, t0 + 40)).isEmpty();
    }

    @Test
    @Timeout(30)
    void expiresAtRoundTripsAndComesBackWithTheClaim() {
        DelayMessage m = message(t0 + 10).withExpiresAt(t0 + 5_000);
        DelayMessage never = message(t0 + 10);
        insert(m, never);

        assertThat(store().get(m.id()).orElseThrow().expiresAt()).isEqualTo(t0 + 5_000);
        assertThat(store().get(never.id()).orElseThrow().expiresAt()).isZero();
        List<DelayMessage> claimed = store().claim(List.of(m.id(), never.id()), t0 + 20, token());
        assertThat(claimed).extracting(DelayMessage::expiresAt).containsExactlyInAnyOrder(t0 + 5_000, 0L);
    }

    @Test
    @Timeout(30)
    void markExpiredMovesFiringToExpiredWithTheReasonAndOnlyUnderTheClaim() {
        DelayMessage m = message(t0 + 10).withExpiresAt(t0 + 15);
        insert(m);
        long token = token();
        store().claim(List.of(m.id()), t0 + 20, token);

        assertThat(store().markExpired(List.of(m.id()), token() , "x", t0 + 30)).as("another claim").isZero();
        assertThat(store().markExpired(List.of(m.id()), token, "expired at 15 before it could be emitted", t0 + 30))
                .isEqualTo(1);

        DelayMessage expired = store().get(m.id()).orElseThrow();
        assertThat(expired.state()).isEqualTo(MessageState.EXPIRED);
        assertThat(expired.lastError()).startsWith("expired at");
        assertThat(expired.updatedAt()).isEqualTo(t0 + 30);
        assertThat(store().claim(List.of(m.id()), t0 + 40, token())).isEmpty();
        assertThat(store().cancel(m.id(), t0 + 40)).isFalse();
        assertThat(store().redrive(m.id(), t0 + 50, t0 + 40)).as("only DEAD is redriven").isEmpty();
    }

    // ---------------------------------------------------------------- releaseStuck

    @Test
    @Timeout(30)
    void releaseStuckHandsBackOnlyFiringClaimsOfTheSlotMadeBeforeTheCutoff() {
        int otherSlot = nextSlot();
        DelayMessage old1 = message(t0 + 10);
        DelayMessage old2 = message(t0 + 10);
        DelayMessage recent = message(t0 + 10);
        DelayMessage scheduled = message(t0 + 10);
        DelayMessage delivered = message(t0 + 10);
        DelayMessage otherSlotOld = message(otherSlot, t0 + 10);
        insert(old1, old2, recent, scheduled, delivered, otherSlotOld);
        long token = token();
        store().claim(List.of(old1.id(), delivered.id(), otherSlotOld.id()), t0 + 100, token);
        store().claim(List.of(old2.id()), t0 + 150, token);
        store().claim(List.of(recent.id()), t0 + 200, token);
        store().markDelivered(List.of(delivered.id()), token, t0 + 110);
        DelayMessage recentBefore = store().get(recent.id()).orElseThrow();
        DelayMessage deliveredBefore = store().get(delivered.id()).orElseThrow();
        long now = t0 + 10_000;

        List<DueEntry> released = mine(store().releaseStuck(slot, t0 + 200, now, 100));

        assertThat(released).containsExactlyInAnyOrder(new DueEntry(old1.id(), now), new DueEntry(old2.id(), now));
        DelayMessage back = store().get(old1.id()).orElseThrow();
        assertThat(back.state()).isEqualTo(MessageState.SCHEDULED);
        assertThat(back.fireAt()).isEqualTo(now);
        assertThat(back.deliverAt()).isEqualTo(t0 + 10);
        assertThat(back.updatedAt()).isEqualTo(now);
        assertThat(back.attempts()).isEqualTo(1);
        assertThat(store().get(recent.id())).contains(recentBefore);
        assertThat(store().get(delivered.id())).contains(deliveredBefore);
        assertThat(store().get(scheduled.id())).contains(scheduled);
        assertThat(store().get(otherSlotOld.id()).orElseThrow().state()).isEqualTo(MessageState.FIRING);
        assertThat(store().markDelivered(List.of(old1.id()), token, now)).as("the old claim is void").isZero();
        assertThat(store().claim(List.of(old1.id(), old2.id()), now, token())).hasSize(2);
    }

    @Test
    @Timeout(30)
    void releaseStuckReleasesAtMostTheLimit() {
        List<DelayMessage> batch = messages(5, i -> t0 + 10);
        insert(batch);
        store().claim(idsOf(batch), t0 + 20, token());
        long now = t0 + 1000;

        List<DueEntry> first = mine(store().releaseStuck(slot, t0 + 500, now, 2));
        List<DueEntry> second = mine(store().releaseStuck(slot, t0 + 500, now, 2));
        List<DueEntry> third = mine(store().releaseStuck(slot, t0 + 500, now, 2));

        assertThat(first).hasSize(2);
        assertThat(second).hasSize(2);
        assertThat(third).hasSize(1);
        List<Long> all = new ArrayList<>();
        for (List<DueEntry> page : List.of(first, second, third)) {
            page.forEach(e -> all.add(e.id()));
        }
        assertThat(all).containsExactlyInAnyOrderElementsOf(idsOf(batch));
        assertThat(mine(store().releaseStuck(slot, t0 + 500, now, 2))).isEmpty();
    }

    // ---------------------------------------------------------------- purgeFinished

    @Test
    @Timeout(30)
    void purgeDeletesOnlyFinishedMessagesOfTheSlotUpdatedBeforeTheCutoff() {
        int otherSlot = nextSlot();
        clearFinishedBefore(slot, t0);
        long cutoff = t0 + 1000;
        DelayMessage delivered = finished(slot, MessageState.DELIVERED, t0 + 100);
        DelayMessage cancelled = finished(slot, MessageState.CANCELLED, t0 + 100);
        DelayMessage dead = finished(slot, MessageState.DEAD, t0 + 100);
        DelayMessage expired = finished(slot, MessageState.EXPIRED, t0 + 100);
        DelayMessage deliveredAtCutoff = finished(slot, MessageState.DELIVERED, cutoff);
        DelayMessage deliveredLater = finished(slot, MessageState.DELIVERED, t0 + 5000);
        DelayMessage otherSlotDelivered = finished(otherSlot, MessageState.DELIVERED, t0 + 100);
        DelayMessage scheduled = message(t0 + 10);
        DelayMessage firing = message(t0 + 10);
        insert(scheduled, firing);
        assertThat(store().claim(List.of(firing.id()), t0 + 100, token())).hasSize(1);
        DelayMessage firingBefore = store().get(firing.id()).orElseThrow();

        int purged = store().purgeFinished(slot, cutoff, 100);

        assertThat(purged).isEqualTo(4);
        assertThat(store().get(delivered.id())).isEmpty();
        assertThat(store().get(expired.id())).isEmpty();
        assertThat(store().get(cancelled.id())).isEmpty();
        assertThat(store().get(dead.id())).isEmpty();
        assertThat(store().get(deliveredAtCutoff.id())).contains(deliveredAtCutoff);
        assertThat(store().get(deliveredLater.id())).contains(deliveredLater);
        assertThat(store().get(otherSlotDelivered.id())).contains(otherSlotDelivered);
        assertThat(store().get(scheduled.id())).contains(scheduled);
        assertThat(store().get(firing.id())).contains(firingBefore);
        assertThat(store().purgeFinished(slot, cutoff, 100)).as("nothing left to purge").isZero();
    }

    @Test
    @Timeout(30)
    void purgeNeverDeletesScheduledOrFiringMessagesHoweverOld() {
        clearFinishedBefore(slot, t0);
        DelayMessage scheduled = message(t0 + 10);
        DelayMessage firing = message(t0 + 10);
        insert(scheduled, firing);
        assertThat(store().claim(List.of(firing.id()), t0 + 20, token())).hasSize(1);

        assertThat(store().purgeFinished(slot, t0 + 100_000, 100)).isZero();

        assertThat(store().get(scheduled.id())).contains(scheduled);
        assertThat(store().get(firing.id()).orElseThrow().state()).isEqualTo(MessageState.FIRING);
    }

    @Test
    @Timeout(30)
    void purgeDeletesAtMostTheLimitAndReturnsHowManyItDeleted() {
        clearFinishedBefore(slot, t0);
        List<DelayMessage> batch = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            batch.add(finished(slot, MessageState.DELIVERED, t0 + 100 + i));
        }
        long cutoff = t0 + 1000;

        assertThat(store().purgeFinished(slot, cutoff, 0)).isZero();
        int first = store().purgeFinished(slot, cutoff, 2);
        int second = store().purgeFinished(slot, cutoff, 2);
        int third = store().purgeFinished(slot, cutoff, 2);
        int fourth = store().purgeFinished(slot, cutoff, 2);

        assertThat(List.of(first, second, third, fourth)).containsExactly(2, 2, 1, 0);
        assertThat(batch).allSatisfy(m -> assertThat(store().get(m.id())).isEmpty());
    }

    @Test
    @Timeout(30)
    void purgedMessageFreesItsIdempotencyKey() {
        clearFinishedBefore(slot, t0);
        DelayMessage first = keyed(app, "order-7", t0 + 10);
        insert(first);
        assertThat(store().cancel(first.id(), t0 + 20)).isTrue();
        DelayMessage again = keyed(app, "order-7", t0 + 30);
        assertThatThrownBy(() -> store().insert(List.of(again))).isInstanceOf(DuplicateMessageException.class);

        assertThat(store().purgeFinished(slot, t0 + 100, 10)).isEqualTo(1);

        insert(again);
        assertThat(store().findByIdempotencyKeys(app, List.of("order-7"))).containsExactly(again);
    }

    // ---------------------------------------------------------------- purgeDead

    @Test
    @Timeout(30)
    void purgeDeadDeletesADeadMessageAndFreesItsIdempotencyKey() {
        DelayMessage first = keyed(app, "order-9", t0 + 10);
        insert(first);
        long token = token();
        assertThat(store().claim(List.of(first.id()), t0 + 20, token)).hasSize(1);
        assertThat(store().markDead(List.of(first.id()), token, "gave up", t0 + 30)).isEqualTo(1);
        long deadBefore = store().countByState().getOrDefault(MessageState.DEAD, 0L);

        assertThat(store().purgeDead(first.id())).isTrue();

        assertThat(store().get(first.id())).isEmpty();
        assertThat(store().findByIdempotencyKeys(app, List.of("order-9"))).isEmpty();
        assertThat(store().search(new MessageQuery(app, null, null, MessageState.DEAD, null, null), null, 10)
                .messages()).isEmpty();
        assertThat(store().countByState().getOrDefault(MessageState.DEAD, 0L)).isEqualTo(deadBefore - 1);
        assertThat(store().purgeDead(first.id())).as("already gone").isFalse();
        DelayMessage again = keyed(app, "order-9", t0 + 40);
        insert(again);
        assertThat(store().findByIdempotencyKeys(app, List.of("order-9"))).containsExactly(again);
    }

    @Test
    @Timeout(30)
    void purgeDeadLeavesTheOtherDeadMessagesOfTheSlotAlone() {
        DelayMessage older = finished(slot, MessageState.DEAD, t0 + 100);
        DelayMessage purged = finished(slot, MessageState.DEAD, t0 + 200);
        DelayMessage newer = finished(slot, MessageState.DEAD, t0 + 300);

        assertThat(store().purgeDead(purged.id())).isTrue();

        assertThat(store().get(older.id())).contains(older);
        assertThat(store().get(newer.id())).contains(newer);
        assertThat(store().search(new MessageQuery(app, null, null, MessageState.DEAD, null, null), null, 10)
                .messages()).extracting(DelayMessage::id).containsExactlyInAnyOrder(older.id(), newer.id());
    }

    @Test
    @Timeout(30)
    void purgeDeadLeavesMessagesInEveryOtherStateUntouched() {
        DelayMessage scheduled = message(t0 + 10);
        DelayMessage firing = message(t0 + 10);
        insert(scheduled, firing);
        assertThat(store().claim(List.of(firing.id()), t0 + 20, token())).hasSize(1);
        List<DelayMessage> before = List.of(store().get(scheduled.id()).orElseThrow(),
                store().get(firing.id()).orElseThrow(), finished(slot, MessageState.DELIVERED, t0 + 30),
                finished(slot, MessageState.CANCELLED, t0 + 30), finished(slot, MessageState.EXPIRED, t0 + 30));

        for (DelayMessage m : before) {
            assertThat(store().purgeDead(m.id())).as("%s", m.state()).isFalse();
            assertThat(store().get(m.id())).as("%s", m.state()).contains(m);
        }
        assertThat(store().purgeDead(ids.next(slot, t0))).as("unknown id").isFalse();
    }

    // ---------------------------------------------------------------- counts

    @Test
    @Timeout(30)
    void countByStateCountsEveryStateAcrossSlots() {
        Map<MessageState, Long> before = store().countByState();
        int otherSlot = nextSlot();
        List<DelayMessage> batch = new ArrayList<>(messages(6, i -> t0 + 10));
        batch.add(message(otherSlot, t0 + 10));
        insert(batch);
        long token = token();
        // 7 SCHEDULED -> claim 4 (one in the other slot), deliver 1, kill 1, cancel 1
        store().claim(List.of(batch.get(0).id(), batch.get(1).id(), batch.get(2).id(), batch.get(6).id()),
                t0 + 20, token);
        store().markDelivered(List.of(batch.get(0).id()), token, t0 + 30);
        store().markDead(List.of(batch.get(1).id()), token, "dead", t0 + 30);
        store().cancel(batch.get(3).id(), t0 + 30);

        Map<MessageState, Long> after = store().countByState();

        assertThat(delta(before, after, MessageState.SCHEDULED)).isEqualTo(2);
        assertThat(delta(before, after, MessageState.FIRING)).isEqualTo(2);
        assertThat(delta(before, after, MessageState.DELIVERED)).isEqualTo(1);
        assertThat(delta(before, after, MessageState.DEAD)).isEqualTo(1);
        assertThat(delta(before, after, MessageState.CANCELLED)).isEqualTo(1);
    }

    @Test
    @Timeout(30)
    void countScheduledCountsOnlyTheScheduledMessagesOfTheSlot() {
        int otherSlot = nextSlot();
        long before = store().countScheduled(slot);
        long otherBefore = store().countScheduled(otherSlot);
        List<DelayMessage> batch = messages(10, i -> t0 + 10);
        insert(batch);
        insert(messages(otherSlot, 3, i -> t0 + 10));

        store().cancel(batch.get(0).id(), t0 + 1);
        store().claim(List.of(batch.get(1).id(), batch.get(2).id()), t0 + 20, token());

        assertThat(store().countScheduled(slot)).isEqualTo(before + 7);
        assertThat(store().countScheduled(otherSlot)).isEqualTo(otherBefore + 3);
    }

    // ---------------------------------------------------------------- admin reads: per-app count and search

    @Test
    @Timeout(60)
    void countScheduledOfAppCountsOnlyTheScheduledMessagesOfThatApp() {
        String other = app + "-other";
        int otherSlot = nextSlot();
        long before = store().countScheduledOfApp(app);
        long otherBefore = store().countScheduledOfApp(other);
        List<DelayMessage> mine = new ArrayList<>(messages(4, i -> t0 + 10 + i));
        mine.addAll(messages(otherSlot, 2, i -> t0 + 20 + i));
        insert(mine);
        insert(of(slot, other, "topic-a", null, t0 + 10), of(otherSlot, other, "topic-a", null, t0 + 11));
        long token = token();

        store().cancel(mine.get(0).id(), t0 + 1);
        assertThat(store().claim(List.of(mine.get(1).id(), mine.get(4).id()), t0 + 100, token)).hasSize(2);
        assertThat(store().markDelivered(List.of(mine.get(4).id()), token, t0 + 101)).isEqualTo(1);

        assertThat(store().countScheduledOfApp(app)).isEqualTo(before + 3);
        assertThat(store().countScheduledOfApp(other)).isEqualTo(otherBefore + 2);
        assertThat(store().countScheduledOfApp(app + "-unknown")).isZero();
    }

    @Test
    @Timeout(60)
    void pendingCountsCountScheduledMessagesByAppTopicAndHorizon() {
        long now = t0 + 1_000;
        int otherSlot = nextSlot();
        List<DelayMessage> batch = List.of(
                of(slot, app, "orders", null, now - 500),                          // overdue: within 1m
                of(otherSlot, app, "orders", null, now + PendingCount.MINUTE),     // exactly 1m: within 1m
                of(slot, app, "orders", null, now + PendingCount.MINUTE + 1),      // within 1h
                of(slot, app, "orders", null, now + PendingCount.HOUR),            // within 1h
                of(slot, app, "orders", null, now + PendingCount.DAY),             // within 24h
                of(slot, app, "orders", null, now + PendingCount.DAY + 1),         // later
                of(slot, app, "payments", null, now + 10),
                of(slot, app + "-other", "orders", null, now + 10));
        insert(batch);
        DelayMessage cancelled = of(slot, app, "orders", null, now + 10);
        DelayMessage claimed = of(slot, app, "orders", null, t0 + 10);
        insert(cancelled, claimed);
        store().cancel(cancelled.id(), t0 + 1);
        assertThat(store().claim(List.of(claimed.id()), t0 + 20, token())).hasSize(1);

        List<PendingCount> counts = store().pendingCounts(now);

        assertThat(counts.stream().filter(c -> c.appKey().startsWith(app)).toList()).containsExactly(
                new PendingCount(app, "orders", 2, 2, 1, 1),
                new PendingCount(app, "payments", 1, 0, 0, 0),
                new PendingCount(app + "-other", "orders", 1, 0, 0, 0));
    }

    @Test
    @Timeout(120)
    void searchByStateOnlyFindsEveryMessageInThatStateAcrossSlots() {
        int otherSlot = nextSlot();
        List<DelayMessage> batch = new ArrayList<>(messages(3, i -> t0 + 10 + i));
        batch.addAll(messages(otherSlot, 2, i -> t0 + 10 + i));
        insert(batch);
        List<Long> cancelled = new ArrayList<>();
        for (DelayMessage m : List.of(batch.get(0), batch.get(2), batch.get(3))) {
            assertThat(store().cancel(m.id(), t0 + 5)).isTrue();
            cancelled.add(m.id());
        }

        List<DelayMessage> found = searchAll(new MessageQuery(null, null, null, MessageState.CANCELLED, null, null),
                100).messages();

        assertThat(found).allSatisfy(m -> assertThat(m.state()).isEqualTo(MessageState.CANCELLED));
        assertThat(mineOf(found)).extracting(DelayMessage::id).containsExactlyInAnyOrderElementsOf(cancelled);
        assertThat(mineOf(found)).allSatisfy(m -> assertThat(m.updatedAt()).isEqualTo(t0 + 5));
    }

    @Test
    @Timeout(60)
    void searchByStateAndAppReturnsExactlyThatAppsMessagesInThatStateComplete() {
        int otherSlot = nextSlot();
        Map<String, String> headers = Map.of("trace", "t-1");
        List<DelayMessage> mine = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            mine.add(DelayMessage.scheduled(ids.next(i % 2 == 0 ? slot : otherSlot, t0), app, "topic-" + i, "k" + i,
                    "payload " + i + " é", headers, t0 + 100 - i * 7L, null, t0, null));
        }
        insert(mine);
        insert(of(slot, app + "-other", "topic-0", "k0", t0 + 50), of(otherSlot, app + "-other", "topic-1", "k1",
                t0 + 51));
        assertThat(store().cancel(mine.get(1).id(), t0 + 3)).isTrue();
        assertThat(store().cancel(mine.get(4).id(), t0 + 3)).isTrue();

        List<DelayMessage> scheduled = searchAll(new MessageQuery(app, null, null, MessageState.SCHEDULED, null, null),
                4).messages();
        List<DelayMessage> cancelledOnes = searchAll(new MessageQuery(app, null, null, MessageState.CANCELLED, null,
                null), 4).messages();

        assertThat(scheduled).containsExactlyInAnyOrder(mine.get(0), mine.get(2), mine.get(3), mine.get(5));
        assertThat(cancelledOnes).extracting(DelayMessage::id)
                .containsExactlyInAnyOrder(mine.get(1).id(), mine.get(4).id());
        assertThat(searchAll(new MessageQuery(app, null, null, MessageState.DELIVERED, null, null), 4).messages())
                .isEmpty();
        assertThat(searchAll(new MessageQuery(app + "-unknown", null, null, MessageState.SCHEDULED, null, null), 4)
                .messages()).isEmpty();
    }

    @Test
    @Timeout(60)
    void searchByTopicReturnsOnlyTheAppsMessagesOfThatTopic() {
        List<DelayMessage> batch = List.of(
                of(slot, app, "orders", null, t0 + 30), of(slot, app, "payments", null, t0 + 10),
                of(slot, app, "orders", "k", t0 + 20), of(slot, app + "-other", "orders", null, t0 + 15),
                of(slot, app, "Orders", null, t0 + 25));
        insert(batch);

        List<DelayMessage> found = searchAll(new MessageQuery(app, "orders", null, MessageState.SCHEDULED, null,
                null), 10).messages();

        assertThat(found).containsExactlyInAnyOrder(batch.get(0), batch.get(2));
        if (searchIsOrderedByDeliverAt()) {
            assertThat(found).containsExactly(batch.get(2), batch.get(0));
        }
    }

    @Test
    @Timeout(60)
    void searchByBusinessKeyReturnsOnlyTheAppsMessagesWithThatKey() {
        List<DelayMessage> batch = List.of(
                of(slot, app, "orders", "order-1", t0 + 30), of(slot, app, "payments", "order-1", t0 + 10),
                of(slot, app, "orders", "order-2", t0 + 20), of(slot, app, "orders", null, t0 + 40),
                of(slot, app + "-other", "orders", "order-1", t0 + 15));
        insert(batch);

        assertThat(searchAll(new MessageQuery(app, null, "order-1", MessageState.SCHEDULED, null, null), 10)
                .messages()).containsExactlyInAnyOrder(batch.get(0), batch.get(1));
        assertThat(searchAll(new MessageQuery(app, "orders", "order-1", MessageState.SCHEDULED, null, null), 10)
                .messages()).containsExactly(batch.get(0));
        assertThat(searchAll(new MessageQuery(app, null, "order-9", MessageState.SCHEDULED, null, null), 10)
                .messages()).isEmpty();
    }

    @Test
    @Timeout(60)
    void searchByDueRangeIncludesFromAndExcludesTo() {
        List<DelayMessage> batch = messages(6, i -> t0 + 100 + i * 100); // t0+100 .. t0+600
        insert(batch);

        assertThat(searchAll(new MessageQuery(app, null, null, MessageState.SCHEDULED, t0 + 200, t0 + 500), 10)
                .messages()).containsExactlyInAnyOrder(batch.get(1), batch.get(2), batch.get(3));
        assertThat(searchAll(new MessageQuery(app, null, null, MessageState.SCHEDULED, t0 + 400, null), 10)
                .messages()).containsExactlyInAnyOrder(batch.get(3), batch.get(4), batch.get(5));
        assertThat(searchAll(new MessageQuery(app, null, null, MessageState.SCHEDULED, null, t0 + 201), 10)
                .messages()).containsExactlyInAnyOrder(batch.get(0), batch.get(1));
        assertThat(searchAll(new MessageQuery(app, null, null, MessageState.SCHEDULED, t0 + 300, t0 + 300), 10)
                .messages()).isEmpty();
    }

    @Test
    @Timeout(120)
    void searchPagesWithTheCursorThroughManyPagesWithoutDuplicatesOrGaps() {
        int otherSlot = nextSlot();
        List<DelayMessage> batch = new ArrayList<>(messages(15, i -> t0 + 1000 + (i / 4) * 10)); // ties on deliverAt
        batch.addAll(messages(otherSlot, 10, i -> t0 + 1000 + (i / 3) * 10));
        insert(batch);
        insert(of(slot, app + "-other", "topic-a", null, t0 + 1000));

        Walk walk = searchAll(new MessageQuery(app, null, null, MessageState.SCHEDULED, null, null), 10);

        assertThat(walk.messages()).containsExactlyInAnyOrderElementsOf(batch);
        assertThat(walk.pages()).isGreaterThanOrEqualTo(3);
        if (searchIsOrderedByDeliverAt()) {
            assertThat(walk.messages()).containsExactlyElementsOf(batch.stream()
                    .sorted(Comparator.comparingLong(DelayMessage::deliverAt).thenComparingLong(DelayMessage::id))
                    .toList());
            assertThat(walk.pageSizes()).containsExactly(10, 10, 5);
        }
    }

    @Test
    @Timeout(60)
    void aSearchPageNeverHoldsMoreThanTheLimit() {
        insert(messages(5, i -> t0 + 10 + i));
        MessageQuery q = new MessageQuery(app, null, null, MessageState.SCHEDULED, null, null);

        Walk ones = searchAll(q, 1);

        assertThat(ones.messages()).hasSize(5);
        assertThat(ones.pageSizes()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(1));
        if (searchIsOrderedByDeliverAt()) {
            MessagePage first = store().search(q, null, 2);
            assertThat(first.messages()).hasSize(2);
            assertThat(first.nextCursor()).isNotNull();
            MessagePage all = store().search(q, null, 5);
            assertThat(all.messages()).hasSize(5);
        }
    }

    // ---------------------------------------------------------------- failure of the backend

    @Test
    @Timeout(180)
    void committedMessagesAndClaimsSurviveABackendRestart() throws Exception {
        List<DelayMessage> batch = messages(100, i -> t0 + 10 + i);
        insert(batch);
        long token = token();
        List<Long> claimedIds = idsOf(batch.subList(0, 10));
        List<DelayMessage> claimed = store().claim(claimedIds, t0 + 50, token);
        assertThat(claimed).hasSize(10);

        restartBackend();

        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                .ignoreExceptionsInstanceOf(StoreUnavailableException.class)
                .until(() -> store().get(batch.get(99).id()).isPresent());
        for (DelayMessage m : batch.subList(10, 100)) {
            assertThat(store().get(m.id())).contains(m);
        }
        for (DelayMessage m : claimed) {
            assertThat(store().get(m.id())).contains(m);
        }
        assertThat(mine(store().releaseStuck(slot, t0 + 51, t0 + 1000, 100)))
                .extracting(DueEntry::id).containsExactlyInAnyOrderElementsOf(claimedIds);
        DelayMessage after = message(t0 + 5);
        insert(after);
        assertThat(store().get(after.id())).contains(after);
    }

    // ---------------------------------------------------------------- helpers

    /** A new SCHEDULED message of this test's app in this test's slot. */
    protected DelayMessage message(long deliverAt) {
        return message(slot, deliverAt);
    }

    /** A new SCHEDULED message of this test's app in {@code slot}. */
    protected DelayMessage message(int slot, long deliverAt) {
        return DelayMessage.scheduled(ids.next(slot, t0), app, "topic-a", null, "payload", null, deliverAt, null, t0,
                null);
    }

    /**
     * A message of this test's app in {@code slot}, brought to the terminal {@code state} at {@code at}
     * ({@code updatedAt == at}, which must be at least {@code t0 + 10}); returned as the store now holds it.
     */
    private DelayMessage finished(int slot, MessageState state, long at) {
        DelayMessage m = message(slot, t0 + 10);
        insert(m);
        long token = token();
        switch (state) {
            case CANCELLED -> assertThat(store().cancel(m.id(), at)).isTrue();
            case DELIVERED -> {
                assertThat(store().claim(List.of(m.id()), at, token)).hasSize(1);
                assertThat(store().markDelivered(List.of(m.id()), token, at)).isEqualTo(1);
            }
            case DEAD -> {
                assertThat(store().claim(List.of(m.id()), at, token)).hasSize(1);
                assertThat(store().markDead(List.of(m.id()), token, "gave up", at)).isEqualTo(1);
            }
            case EXPIRED -> {
                assertThat(store().claim(List.of(m.id()), at, token)).hasSize(1);
                assertThat(store().markExpired(List.of(m.id()), token, "expired", at)).isEqualTo(1);
            }
            default -> throw new IllegalArgumentException("not a terminal state: " + state);
        }
        DelayMessage read = store().get(m.id()).orElseThrow();
        assertThat(read.updatedAt()).isEqualTo(at);
        return read;
    }

    /**
     * Deletes finished rows of {@code slot} older than {@code before}, left by earlier runs against a database that
     * outlives the run, so that purge counts of this test are exact. (This test's rows all have updatedAt >= t0.)
     */
    private void clearFinishedBefore(int slot, long before) {
        for (int i = 0; i < 10_000 && store().purgeFinished(slot, before, 1000) == 1000; i++) {
            // keep going
        }
    }

    private DelayMessage keyed(String appKey, String idempotencyKey, long deliverAt) {
        return DelayMessage.scheduled(ids.next(slot, t0), appKey, "topic-a", idempotencyKey, "payload", null,
                deliverAt, null, t0, idempotencyKey);
    }

    private List<DelayMessage> messages(int n, LongUnaryOperator deliverAtOfIndex) {
        return messages(slot, n, deliverAtOfIndex);
    }

    private List<DelayMessage> messages(int slot, int n, LongUnaryOperator deliverAtOfIndex) {
        List<DelayMessage> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            list.add(message(slot, deliverAtOfIndex.applyAsLong(i)));
        }
        return list;
    }

    /** A new SCHEDULED message of {@code appKey} in {@code slot}. */
    private DelayMessage of(int slot, String appKey, String topic, String key, long deliverAt) {
        return DelayMessage.scheduled(ids.next(slot, t0), appKey, topic, key, "payload", null, deliverAt, null, t0,
                null);
    }

    /** Messages of this test (a persistent backend may hold messages of earlier runs and other tests). */
    private List<DelayMessage> mineOf(List<DelayMessage> messages) {
        return messages.stream().filter(m -> created.contains(m.id())).toList();
    }

    /** What a walk through every page of a search found. */
    protected record Walk(List<DelayMessage> messages, List<Integer> pageSizes) {
        int pages() {
            return pageSizes.size();
        }
    }

    /**
     * Pages through a search with its cursor until the store says it is done, checking each page on the way: within
     * the limit, only matching messages, none twice; for an ordered store, full pages until the last, in (deliverAt,
     * id) order across pages.
     */
    protected Walk searchAll(MessageQuery q, int limit) {
        List<DelayMessage> all = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        String cursor = null;
        for (int pages = 0; ; pages++) {
            assertThat(pages).as("too many pages: the cursor does not advance").isLessThan(100_000);
            MessagePage page = store().search(q, cursor, limit);
            assertThat(page.messages()).hasSizeLessThanOrEqualTo(limit);
            for (DelayMessage m : page.messages()) {
                assertThat(m.state()).isEqualTo(q.state());
                if (q.appKey() != null) {
                    assertThat(m.appKey()).isEqualTo(q.appKey());
                }
                if (q.topic() != null) {
                    assertThat(m.topic()).isEqualTo(q.topic());
                }
                if (q.key() != null) {
                    assertThat(m.key()).isEqualTo(q.key());
                }
                if (q.dueFrom() != null) {
                    assertThat(m.deliverAt()).isGreaterThanOrEqualTo(q.dueFrom());
                }
                if (q.dueTo() != null) {
                    assertThat(m.deliverAt()).isLessThan(q.dueTo());
                }
                assertThat(seen.add(m.id())).as("message %s returned twice", m.id()).isTrue();
                all.add(m);
            }
            sizes.add(page.messages().size());
            if (page.nextCursor() == null) {
                break;
            }
            if (searchIsOrderedByDeliverAt()) {
                assertThat(page.messages()).as("a page before the last is full").hasSize(limit);
            }
            cursor = page.nextCursor();
        }
        if (searchIsOrderedByDeliverAt()) {
            assertThat(all).isSortedAccordingTo(
                    Comparator.comparingLong(DelayMessage::deliverAt).thenComparingLong(DelayMessage::id));
        }
        return new Walk(all, sizes);
    }

    private void insert(DelayMessage... messages) {
        insert(List.of(messages));
    }

    private void insert(List<DelayMessage> messages) {
        messages.forEach(m -> created.add(m.id()));
        store().insert(messages);
    }

    /** A claim token no other claim of this run uses. */
    protected long token() {
        return tokens.incrementAndGet();
    }

    private static int nextSlot() {
        return Math.floorMod(NEXT_SLOT.getAndIncrement(), MessageIds.MAX_SLOTS);
    }

    private static DueEntry entry(DelayMessage m) {
        return new DueEntry(m.id(), m.fireAt());
    }

    private static List<Long> idsOf(List<DelayMessage> messages) {
        return messages.stream().map(DelayMessage::id).toList();
    }

    private static List<DueEntry> sortedEntries(Collection<DelayMessage> messages) {
        return messages.stream().map(MessageStoreContract::entry)
                .sorted(Comparator.comparingLong(DueEntry::fireAt).thenComparingLong(DueEntry::id))
                .toList();
    }

    /** Entries of rows this test created (a persistent backend may hold rows of earlier runs). */
    private List<DueEntry> mine(List<DueEntry> entries) {
        return entries.stream().filter(e -> created.contains(e.id())).toList();
    }

    /** (AssertJ's doesNotContainAnyElementsOf refuses an empty set, and one racer may well win everything.) */
    private static Set<Long> intersection(Set<Long> a, Set<Long> b) {
        Set<Long> both = new HashSet<>(a);
        both.retainAll(b);
        return both;
    }

    private static long delta(Map<MessageState, Long> before, Map<MessageState, Long> after, MessageState s) {
        return after.getOrDefault(s, 0L) - before.getOrDefault(s, 0L);
    }

    /** Pages through one window with the keyset cursor, checking each page on the way. */
    private List<DueEntry> scanAll(int slot, long from, long to, int limit) {
        List<DueEntry> all = new ArrayList<>();
        long afterFireAt = Long.MIN_VALUE;
        long afterId = 0;
        for (int pages = 0; ; pages++) {
            assertThat(pages).as("too many pages: the cursor does not advance").isLessThan(1_000_000);
            List<DueEntry> page = store().scanScheduled(slot, from, to, afterFireAt, afterId, limit);
            assertThat(page.size()).isLessThanOrEqualTo(limit);
            for (DueEntry e : page) {
                assertThat(e.fireAt()).isGreaterThanOrEqualTo(from).isLessThan(to);
            }
            all.addAll(page);
            if (page.size() < limit) {
                return all;
            }
            DueEntry last = page.get(page.size() - 1);
            afterFireAt = last.fireAt();
            afterId = last.id();
        }
    }

    /** Claims {@code ids} in groups of {@code group}; returns the ids this claimer won. */
    private List<Long> claimInGroups(List<Long> ids, long now, long token, int group) {
        List<Long> won = new ArrayList<>();
        for (int i = 0; i < ids.size(); i += group) {
            List<DelayMessage> got = store().claim(ids.subList(i, Math.min(ids.size(), i + group)), now, token);
            for (DelayMessage m : got) {
                assertThat(m.claimToken()).isEqualTo(token);
                won.add(m.id());
            }
        }
        return won;
    }

    /** Runs both tasks at once on two threads released together; waits for both (bounded). */
    private static <A, B> Raced<A, B> race(Callable<A> left, Callable<B> right) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "tck-racer");
            t.setDaemon(true);
            return t;
        });
        try {
            CyclicBarrier start = new CyclicBarrier(2);
            Future<A> a = pool.submit(() -> {
                start.await(RACE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                return left.call();
            });
            Future<B> b = pool.submit(() -> {
                start.await(RACE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                return right.call();
            });
            return new Raced<>(a.get(RACE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS),
                    b.get(RACE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        } finally {
            pool.shutdownNow();
        }
    }

    private record Raced<A, B>(A left, B right) {
    }
}
