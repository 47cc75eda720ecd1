package io.hourglass.core.testing;

import io.hourglass.core.error.DuplicateMessageException;
import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.model.DueEntry;
import io.hourglass.core.model.MessageState;
import io.hourglass.core.spi.MessageStore;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/** A {@link MessageStore} in a map, with the same conditional semantics as the real ones; for core tests. */
public final class InMemoryMessageStore implements MessageStore {

    private final TreeMap<Long, DelayMessage> rows = new TreeMap<>();
    private volatile boolean down;
    private volatile java.util.function.Predicate<DelayMessage> refused = m -> false;

    /** Makes every call fail, like a database that went away. */
    public void setDown(boolean down) {
        this.down = down;
    }

    /**
     * Makes inserts of a matching message fail as a database refuses a value it cannot hold (the whole insert call,
     * all or nothing, like SQL), with the {@link io.hourglass.core.error.ValidationException} the SQL store raises.
     */
    public void refuse(java.util.function.Predicate<DelayMessage> message) {
        this.refused = message;
    }

    private void check() {
        if (down) {
            throw new io.hourglass.core.error.StoreUnavailableException("store down", null);
        }
    }

    @Override
    public synchronized void insert(List<DelayMessage> messages) {
        check();
        java.util.Set<Long> ids = new java.util.HashSet<>();
        java.util.Set<String> keys = new java.util.HashSet<>();
        if (messages.stream().anyMatch(refused)) {
            throw new io.hourglass.core.error.ValidationException("message", "has a field longer than the store allows");
        }
        for (DelayMessage m : messages) {
            boolean keyTaken = m.idempotencyKey() != null && (!keys.add(m.appKey() + '\0' + m.idempotencyKey())
                    || !findByIdempotencyKeys(m.appKey(), List.of(m.idempotencyKey())).isEmpty());
            if (!ids.add(m.id()) || rows.containsKey(m.id()) || keyTaken) {
                throw new DuplicateMessageException("duplicate " + m.id(), null); // all or nothing, like SQL
            }
        }
        for (DelayMessage m : messages) {
            rows.put(m.id(), m);
        }
    }

    @Override
    public synchronized Optional<DelayMessage> get(long id) {
        check();
        return Optional.ofNullable(rows.get(id));
    }

    @Override
    public synchronized List<DelayMessage> findByIdempotencyKeys(String appKey, Collection<String> keys) {
        check();
        return rows.values().stream()
                .filter(m -> m.appKey().equals(appKey) && m.idempotencyKey() != null && keys.contains(m.idempotencyKey()))
                .toList();
    }

    @Override
    public synchronized List<DueEntry> scanScheduled(int slot, long fromFireAt, long toFireAt, long afterFireAt,
                                                     long afterId, int limit) {
        check();
        return rows.values().stream()
                .filter(m -> m.slot() == slot && m.state() == MessageState.SCHEDULED)
                .filter(m -> m.fireAt() >= fromFireAt && m.fireAt() < toFireAt)
                .filter(m -> m.fireAt() > afterFireAt || (m.fireAt() == afterFireAt && m.id() > afterId))
                .sorted(Comparator.comparingLong(DelayMessage::fireAt).thenComparingLong(DelayMessage::id))
                .limit(limit)
                .map(m -> new DueEntry(m.id(), m.fireAt()))
                .toList();
    }

    @Override
    public synchronized List<DelayMessage> claim(Collection<Long> ids, long now, long claimToken) {
        check();
        List<DelayMessage> claimed = new ArrayList<>();
        for (long id : ids) {
            DelayMessage m = rows.get(id);
            if (m != null && m.state() == MessageState.SCHEDULED && m.fireAt() <= now) {
                DelayMessage c = copy(m, MessageState.FIRING, m.deliverAt(), m.fireAt(), m.attempts() + 1, now,
                        claimToken, now, m.lastError());
                rows.put(id, c);
                claimed.add(c);
            }
        }
        return claimed;
    }

    @Override
    public synchronized int markDelivered(Collection<Long> ids, long claimToken, long now) {
        check();
        return updateHeld(ids, claimToken, m -> copy(m, MessageState.DELIVERED, m.deliverAt(), m.fireAt(),
                m.attempts(), now, m.claimToken(), m.claimedAt(), m.lastError()));
    }

    @Override
    public synchronized int rearm(List<Rearm> rearms, long claimToken, long now) {
        check();
        int n = 0;
        for (Rearm r : rearms) {
            n += updateHeld(List.of(r.id()), claimToken, m -> copy(m, MessageState.SCHEDULED, r.deliverAt(),
                    r.deliverAt(), 0, now, m.claimToken(), m.claimedAt(), m.lastError()));
        }
        return n;
    }

    @Override
    public synchronized int retryLater(List<Retry> retries, long claimToken, long now) {
        return backToScheduled(retries, claimToken, now, 0);
    }

    private int backToScheduled(List<Retry> retries, long claimToken, long now, int attemptsBack) {
        check();
        int n = 0;
        for (Retry r : retries) {
            n += updateHeld(List.of(r.id()), claimToken, m -> copy(m, MessageState.SCHEDULED, m.deliverAt(),
                    r.fireAt(), Math.max(0, m.attempts() - attemptsBack), now, m.claimToken(), m.claimedAt(), r.error()));
        }
        return n;
    }

    @Override
    public synchronized int postpone(List<Retry> retries, long claimToken, long now) {
        return backToScheduled(retries, claimToken, now, 1);
    }

    @Override
    public synchronized int markDead(Collection<Long> ids, long claimToken, String error, long now) {
        check();
        return updateHeld(ids, claimToken, m -> copy(m, MessageState.DEAD, m.deliverAt(), m.fireAt(), m.attempts(),
                now, m.claimToken(), m.claimedAt(), error));
    }

    @Override
    public synchronized int markExpired(Collection<Long> ids, long claimToken, String reason, long now) {
        check();
        return updateHeld(ids, claimToken, m -> copy(m, MessageState.EXPIRED, m.deliverAt(), m.fireAt(), m.attempts(),
                now, m.claimToken(), m.claimedAt(), reason));
    }

    @Override
    public synchronized boolean cancel(long id, long now) {
        check();
        DelayMessage m = rows.get(id);
        if (m == null || m.state() != MessageState.SCHEDULED) {
            return false;
        }
        rows.put(id, copy(m, MessageState.CANCELLED, m.deliverAt(), m.fireAt(), m.attempts(), now, m.claimToken(),
                m.claimedAt(), m.lastError()));
        return true;
    }

    @Override
    public synchronized Optional<DelayMessage> reschedule(long id, long newDeliverAt, long expectedVersion, long now) {
        check();
        DelayMessage m = rows.get(id);
        if (m == null || m.state() != MessageState.SCHEDULED || (expectedVersion >= 0 && m.version() != expectedVersion)) {
            return Optional.empty();
        }
        DelayMessage r = copy(m, MessageState.SCHEDULED, newDeliverAt, newDeliverAt, m.attempts(), now,
                m.claimToken(), m.claimedAt(), m.lastError());
        rows.put(id, r);
        return Optional.of(r);
    }

    @Override
    public synchronized Optional<DelayMessage> redrive(long id, long deliverAt, long now) {
        check();
        DelayMessage m = rows.get(id);
        if (m == null || m.state() != MessageState.DEAD) {
            return Optional.empty();
        }
        DelayMessage r = copy(m, MessageState.SCHEDULED, deliverAt, deliverAt, 0, now, m.claimToken(), m.claimedAt(), null);
        rows.put(id, r);
        return Optional.of(r);
    }

    @Override
    public synchronized List<DueEntry> releaseStuck(int slot, long claimedBefore, long now, int limit) {
        check();
        List<DueEntry> released = new ArrayList<>();
        for (DelayMessage m : List.copyOf(rows.values())) {
            if (released.size() >= limit) {
                break;
            }
            if (m.slot() == slot && m.state() == MessageState.FIRING && m.claimedAt() < claimedBefore) {
                rows.put(m.id(), copy(m, MessageState.SCHEDULED, m.deliverAt(), now, m.attempts(), now,
                        m.claimToken(), m.claimedAt(), m.lastError()));
                released.add(new DueEntry(m.id(), now));
            }
        }
        return released;
    }

    @Override
    public synchronized int purgeFinished(int slot, long updatedBefore, int limit) {
        check();
        int purged = 0;
        for (DelayMessage m : List.copyOf(rows.values())) {
            if (purged >= limit) {
                break;
            }
            if (m.slot() == slot && m.state().isTerminal() && m.updatedAt() < updatedBefore) {
                rows.remove(m.id());
                purged++;
            }
        }
        return purged;
    }

    @Override
    public synchronized boolean purgeDead(long id) {
        check();
        DelayMessage m = rows.get(id);
        return m != null && m.state() == MessageState.DEAD && rows.remove(id) != null;
    }

    @Override
    public synchronized Map<MessageState, Long> countByState() {
        check();
        Map<MessageState, Long> counts = new EnumMap<>(MessageState.class);
        for (DelayMessage m : rows.values()) {
            counts.merge(m.state(), 1L, Long::sum);
        }
        return counts;
    }

    @Override
    public synchronized long countScheduled(int slot) {
        check();
        return rows.values().stream().filter(m -> m.slot() == slot && m.state() == MessageState.SCHEDULED).count();
    }

    /** Every row, for assertions. */
    @Override
    public synchronized long countScheduledOfApp(String appKey) {
        check();
        return rows.values().stream().filter(m -> m.state() == MessageState.SCHEDULED && m.appKey().equals(appKey))
                .count();
    }

    @Override
    public synchronized List<io.hourglass.core.model.PendingCount> pendingCounts(long now) {
        check();
        Map<String, long[]> counts = new TreeMap<>();
        for (DelayMessage m : rows.values()) {
            if (m.state() != MessageState.SCHEDULED) {
                continue;
            }
            long[] c = counts.computeIfAbsent(m.appKey() + '\0' + m.topic(), k -> new long[4]);
            long in = m.deliverAt() - now;
            c[in <= io.hourglass.core.model.PendingCount.MINUTE ? 0 : in <= io.hourglass.core.model.PendingCount.HOUR ? 1
                    : in <= io.hourglass.core.model.PendingCount.DAY ? 2 : 3]++;
        }
        List<io.hourglass.core.model.PendingCount> out = new ArrayList<>();
        counts.forEach((k, c) -> {
            String[] parts = k.split("\0", 2);
            out.add(new io.hourglass.core.model.PendingCount(parts[0], parts[1], c[0], c[1], c[2], c[3]));
        });
        return out;
    }

    /** Ordered by (deliverAt, id); the cursor is "deliverAt:id" of the last message returned. */
    @Override
    public synchronized MessagePage search(MessageQuery q, String cursor, int limit) {
        check();
        long afterDue = Long.MIN_VALUE;
        long afterId = Long.MIN_VALUE;
        if (cursor != null) {
            String[] parts = cursor.split(":");
            afterDue = Long.parseLong(parts[0]);
            afterId = Long.parseLong(parts[1]);
        }
        final long due0 = afterDue;
        final long id0 = afterId;
        List<DelayMessage> page = rows.values().stream()
                .filter(m -> m.state() == q.state())
                .filter(m -> q.appKey() == null || q.appKey().equals(m.appKey()))
                .filter(m -> q.topic() == null || q.topic().equals(m.topic()))
                .filter(m -> q.key() == null || q.key().equals(m.key()))
                .filter(m -> q.dueFrom() == null || m.deliverAt() >= q.dueFrom())
                .filter(m -> q.dueTo() == null || m.deliverAt() < q.dueTo())
                .filter(m -> m.deliverAt() > due0 || (m.deliverAt() == due0 && m.id() > id0))
                .sorted(Comparator.comparingLong(DelayMessage::deliverAt).thenComparingLong(DelayMessage::id))
                .limit(limit + 1L)
                .toList();
        if (page.size() <= limit) {
            return new MessagePage(page, null);
        }
        DelayMessage last = page.get(limit - 1);
        return new MessagePage(page.subList(0, limit), last.deliverAt() + ":" + last.id());
    }

    public synchronized List<DelayMessage> all() {
        return List.copyOf(rows.values());
    }

    private int updateHeld(Collection<Long> ids, long claimToken, UnaryOperator<DelayMessage> change) {
        int n = 0;
        for (long id : ids) {
            DelayMessage m = rows.get(id);
            if (m != null && m.state() == MessageState.FIRING && m.claimToken() == claimToken) {
                rows.put(id, change.apply(m));
                n++;
            }
        }
        return n;
    }

    private static DelayMessage copy(DelayMessage m, MessageState state, long deliverAt, long fireAt, int attempts,
                                     long now, long claimToken, long claimedAt, String lastError) {
        return new DelayMessage(m.id(), m.appKey(), m.topic(), m.key(), m.payload(), m.headers(), deliverAt, fireAt,
                m.repeatIntervalMs(), state, attempts, m.createdAt(), now, m.slot(), m.version() + 1,
                m.idempotencyKey(), claimToken, claimedAt, lastError, m.requestHash(), m.expiresAt());
    }
}
