package io.hourglass.store.cassandra;

import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import io.hourglass.core.error.ValidationException;
import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.model.MessageIds;
import io.hourglass.core.model.MessageState;
import io.hourglass.core.model.PendingCount;
import io.hourglass.core.spi.MessageStore.MessagePage;
import io.hourglass.core.spi.MessageStore.MessageQuery;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;

/**
 * The admin's reads over all slots on {@code message_by_state} (partition (slot, state), clustered by (updated_at,
 * id), with the message's app_key): the message search, the per-app SCHEDULED count and the pending overview. Cassandra has no index that
 * serves an arbitrary filter, so both walk the by-state partitions of the state asked, slot 0 to
 * {@link MessageIds#MAX_SLOTS} - 1, and check the truth ({@code message}) where the hint cannot answer.
 *
 * <p><b>Search order</b>: by slot, then by the time of the message's last change ({@code updatedAt}), then id; not
 * by due time. <b>Cursor</b>: {@code "slot:updatedAt:id"} of the last hint the page consumed; the next page resumes
 * strictly after it. <b>Bounded work</b>: a page reads at most {@code max(5000, 50 * limit)} hints and
 * {@code max(100, 10 * limit)} message rows; when either budget is spent before the page is full, the page ends early
 * (it may even be empty) with a cursor, and the caller continues. Only {@code nextCursor == null} means the end.
 * The app filter is checked on the hint (no row read for other apps' messages); state, topic, key and the due range on
 * the message row, read with its small columns first; only matches are then read whole (payload and headers).
 *
 * <p>A hint counts only while it matches its row (same state, slot and updatedAt), so a message is returned at most
 * once per walk unless it changes during the walk (then it may be met again at its new place, or missed: the walk is
 * not a snapshot).
 */
final class MessageSearch {

    /** Partitions asked at once when looking for the next non-empty one. */
    private static final int WAVE = 64;
    /** Rows asked of each partition of a wave: enough to start, small enough that an unused answer costs little. */
    private static final int FIRST_ROWS = 100;
    /** Rows asked of a partition after its first answer was full. */
    private static final int NEXT_ROWS = 1000;

    private final Cql cql;
    private final int lanes;

    MessageSearch(Cql cql, int lanes) {
        this.cql = Objects.requireNonNull(cql, "cql");
        this.lanes = lanes;
    }

    /**
     * SCHEDULED messages of one app: one {@code COUNT(*) ... AND app_key = ? ALLOW FILTERING} per slot (filtered
     * inside the partition by the server; only the count comes back), {@code lanes} at a time. O(SCHEDULED
     * messages): the caller caches it. A hint is a hint (see docs/stores.md): SCHEDULED hints written before the
     * store had the app_key column are not counted.
     */
    long countScheduledOfApp(String appKey) {
        List<Integer> slots = IntStream.range(0, MessageIds.MAX_SLOTS).boxed().toList();
        List<Long> counts = Lanes.map(slots, lanes, slot -> cql.async(cql.plain(cql.countStateOfApp, slot,
                MessageState.SCHEDULED.name(), appKey)).thenApply(rs -> {
                    Row r = rs.one();
                    return r == null ? 0L : r.getLong(0);
                })).join();
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        return total;
    }

    /**
     * SCHEDULED messages by (app, topic) and horizon at {@code now}: every SCHEDULED hint of every slot, each checked
     * on its row's small columns (the hint has neither topic nor due time). O(SCHEDULED messages) reads, a few slots
     * at a time: an admin overview that the caller caches, not a request path.
     */
    List<PendingCount> pendingCounts(long now) {
        Map<String, long[]> counts = new ConcurrentHashMap<>();
        List<Integer> slots = IntStream.range(0, MessageIds.MAX_SLOTS).boxed().toList();
        int outer = Math.max(1, lanes / 8);
        Lanes.map(slots, outer, slot -> countPending(slot, Position.startOf(slot), now, counts)).join();
        Map<String, long[]> sorted = new TreeMap<>(counts);
        List<PendingCount> out = new ArrayList<>(sorted.size());
        sorted.forEach((k, c) -> {
            int sep = k.indexOf('\0');
            out.add(new PendingCount(k.substring(0, sep), k.substring(sep + 1), c[0], c[1], c[2], c[3]));
        });
        return out;
    }

    private CompletableFuture<Void> countPending(int slot, Position from, long now, Map<String, long[]> counts) {
        return hints(MessageState.SCHEDULED, from, NEXT_ROWS).thenCompose(hints -> {
            if (hints.isEmpty()) {
                return CompletableFuture.completedFuture(null);
            }
            return Lanes.map(hints, 8, h -> cql.async(cql.plain(cql.selectSearchMeta, h.id()))
                    .thenApply(AsyncResultSet::one)).thenCompose(rows -> {
                        for (int i = 0; i < hints.size(); i++) {
                            Row r = rows.get(i);
                            Hint h = hints.get(i);
                            if (r == null || !MessageState.SCHEDULED.name().equals(r.getString("state"))
                                    || r.getInt("slot") != slot || r.getLong("updated_at") != h.updatedAt()) {
                                continue; // a stale hint
                            }
                            long in = r.getLong("deliver_at") - now;
                            int horizon = in <= PendingCount.MINUTE ? 0 : in <= PendingCount.HOUR ? 1
                                    : in <= PendingCount.DAY ? 2 : 3;
                            long[] c = counts.computeIfAbsent(r.getString("app_key") + '\0' + r.getString("topic"),
                                    k -> new long[4]);
                            synchronized (c) {
                                c[horizon]++;
                            }
                        }
                        if (hints.size() < NEXT_ROWS) {
                            return CompletableFuture.completedFuture(null);
                        }
                        Hint last = hints.get(hints.size() - 1);
                        return countPending(slot, new Position(slot, last.updatedAt(), last.id()), now, counts);
                    });
        });
    }

    MessagePage search(MessageQuery q, String cursor, int limit) {
        Objects.requireNonNull(q, "query");
        if (limit < 1 || limit > 1000) {
            throw new ValidationException("limit", "must be 1..1000, was " + limit);
        }
        Position start = cursor == null ? new Position(0, Long.MIN_VALUE, Long.MIN_VALUE) : Position.parse(cursor);
        if (q.dueFrom() != null && q.dueTo() != null && q.dueFrom() >= q.dueTo()) {
            return new MessagePage(List.of(), null);
        }
        Walk walk = new Walk(q, limit);
        for (int slot = start.slot(); slot < MessageIds.MAX_SLOTS; ) {
            int end = Math.min(MessageIds.MAX_SLOTS, slot + WAVE);
            int first = Math.max(1, Math.min(FIRST_ROWS, walk.hintsLeft()));
            List<CompletableFuture<List<Hint>>> wave = new ArrayList<>(end - slot);
            for (int s = slot; s < end; s++) {
                Position from = s == start.slot() ? start : Position.startOf(s);
                wave.add(hints(q.state(), from, first));
            }
            for (int s = slot; s < end; s++) {
                Position at = s == start.slot() ? start : Position.startOf(s);
                List<Hint> hints = wave.get(s - slot).join();
                int asked = first;
                while (true) {
                    at = walk.consume(s, at, hints);
                    if (walk.stopped()) {
                        return walk.page(at.toCursor());
                    }
                    if (walk.consumedAll && hints.size() < asked) {
                        break; // this slot is done
                    }
                    asked = Math.max(1, Math.min(NEXT_ROWS, walk.hintsLeft()));
                    hints = hints(q.state(), at, asked).join();
                }
            }
            slot = end;
        }
        return walk.page(null);
    }

    private CompletableFuture<List<Hint>> hints(MessageState state, Position after, int limit) {
        return cql.async(cql.plain(cql.searchStates, after.slot(), state.name(), after.updatedAt(), after.id(),
                Math.max(1, limit))).thenApply(rs -> {
                    List<Hint> hints = new ArrayList<>();
                    for (Row r : rs.currentPage()) {
                        hints.add(new Hint(r.getLong("updated_at"), r.getLong("id"), r.getString("app_key")));
                    }
                    return hints; // LIMIT <= the page size the driver fetches: one page holds them all
                });
    }

    /** One page being filled. */
    private final class Walk {
        final MessageQuery q;
        final int limit;
        final int hintBudget;
        final int readBudget;
        int hintsRead;
        int rowsRead;
        /** Whether the last {@link #consume} went through every hint it was given. */
        boolean consumedAll;
        final List<DelayMessage> found = new ArrayList<>();

        Walk(MessageQuery q, int limit) {
            this.q = q;
            this.limit = limit;
            this.hintBudget = Math.max(5000, 50 * limit);
            this.readBudget = Math.max(100, 10 * limit);
        }

        int hintsLeft() {
            return Math.max(0, hintBudget - hintsRead);
        }

        boolean stopped() {
            return found.size() >= limit || hintsRead >= hintBudget || rowsRead >= readBudget;
        }

        /**
         * Goes through {@code hints} of {@code slot} in order until the page is full or a budget is spent; returns
         * the position of the last hint consumed ({@code at} if none).
         */
        Position consume(int slot, Position at, List<Hint> hints) {
            // the hints this call may consume, and of those the ones whose row must be read
            List<Hint> taken = new ArrayList<>();
            List<Hint> toRead = new ArrayList<>();
            for (Hint h : hints) {
                if (hintsRead + taken.size() >= hintBudget || rowsRead + toRead.size() >= readBudget) {
                    break;
                }
                taken.add(h);
                if (h.appKey() == null || q.appKey() == null || q.appKey().equals(h.appKey())) {
                    toRead.add(h);
                }
            }
            List<Row> rows = Lanes.map(toRead, lanes, h -> cql.async(cql.plain(cql.selectSearchMeta, h.id()))
                    .thenApply(AsyncResultSet::one)).join();
            rowsRead += toRead.size();
            List<Long> matches = new ArrayList<>();
            Position last = at;
            int read = 0;
            int consumed = 0;
            for (Hint h : taken) {
                consumed++;
                hintsRead++;
                last = new Position(slot, h.updatedAt(), h.id());
                boolean readIt = read < toRead.size() && toRead.get(read) == h;
                if (readIt && matches(rows.get(read++), slot, h)) {
                    matches.add(h.id());
                    if (found.size() + matches.size() >= limit) {
                        break;
                    }
                }
            }
            consumedAll = consumed == hints.size();
            // the matches whole, in order; one that changed in between is left out (the page is not a snapshot)
            List<Row> whole = Lanes.map(matches, lanes, id -> cql.async(cql.plain(cql.selectMessage, id))
                    .thenApply(AsyncResultSet::one)).join();
            for (Row r : whole) {
                if (r != null) {
                    DelayMessage m = MessageRows.toMessage(r);
                    if (m.state() == q.state()) {
                        found.add(m);
                    }
                }
            }
            return last;
        }

        private boolean matches(Row r, int slot, Hint h) {
            if (r == null || r.isNull("state") || !q.state().name().equals(r.getString("state"))
                    || r.getInt("slot") != slot || r.getLong("updated_at") != h.updatedAt()) {
                return false; // a stale hint (the row moved on, or is gone)
            }
            long due = r.getLong("deliver_at");
            return (q.appKey() == null || q.appKey().equals(r.getString("app_key")))
                    && (q.topic() == null || q.topic().equals(r.getString("topic")))
                    && (q.key() == null || q.key().equals(r.getString("msg_key")))
                    && (q.dueFrom() == null || due >= q.dueFrom())
                    && (q.dueTo() == null || due < q.dueTo());
        }

        MessagePage page(String cursor) {
            return new MessagePage(found, cursor);
        }
    }

    /** One row of {@code message_by_state}. */
    private record Hint(long updatedAt, long id, String appKey) {
    }

    /** A place in the walk: after (updatedAt, id) in the partition of {@code slot}. */
    private record Position(int slot, long updatedAt, long id) {

        static Position startOf(int slot) {
            return new Position(slot, Long.MIN_VALUE, Long.MIN_VALUE);
        }

        String toCursor() {
            return slot + ":" + updatedAt + ":" + id;
        }

        static Position parse(String cursor) {
            String[] parts = cursor.split(":", -1);
            try {
                if (parts.length == 3) {
                    Position p = new Position(Integer.parseInt(parts[0]), Long.parseLong(parts[1]),
                            Long.parseLong(parts[2]));
                    if (p.slot() >= 0 && p.slot() < MessageIds.MAX_SLOTS) {
                        return p;
                    }
                }
            } catch (NumberFormatException e) {
                // below
            }
            throw new ValidationException("cursor", "is not a cursor of this store's search: " + cursor);
        }
    }
}
