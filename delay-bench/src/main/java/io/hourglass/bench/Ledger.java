package io.hourglass.bench;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a run submitted and what came back, by message sequence number. The payload of message {@code seq} is
 * {@code hgb:<run tag>:<seq>:} padded with dots, so a record is matched to its message without waiting for the
 * submit's answer (a message can fire before its HTTP response is read); the {@code x-delay-id} header is then
 * checked against the id the server answered.
 *
 * <p>Threads: submitters write {@link #accepted}/{@link #rejected} (each sequence number by one thread), the one
 * Kafka reader thread writes {@link #observe}; the analysis reads both after those threads have been joined.
 */
final class Ledger {

    static final int MIN_PAYLOAD_BYTES = 40;
    private static final long NONE = Long.MIN_VALUE;

    private final String prefix;
    private final int payloadBytes;
    private final int size;

    // written by submitters
    private final String[] ids;
    private final long[] ackDeliverAt;
    private final byte[] outcome; // 0 not sent, 1 accepted, 2 rejected

    // written by the reader
    private final long[] emittedAt;
    private final long[] headerDeliverAt;
    private final long[] seenAt;
    private final String[] headerIds;
    private final AtomicInteger seen = new AtomicInteger();
    private long duplicates;
    private long foreign;
    private long malformed;

    Ledger(int size, int payloadBytes) {
        this(size, payloadBytes, Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16));
    }

    Ledger(int size, int payloadBytes, String runTag) {
        this.prefix = "hgb:" + runTag + ":";
        this.payloadBytes = Math.max(MIN_PAYLOAD_BYTES, payloadBytes);
        this.size = size;
        ids = new String[size];
        ackDeliverAt = new long[size];
        outcome = new byte[size];
        emittedAt = new long[size];
        headerDeliverAt = new long[size];
        seenAt = new long[size];
        headerIds = new String[size];
        Arrays.fill(emittedAt, NONE);
    }

    int size() {
        return size;
    }

    String payload(int seq) {
        StringBuilder sb = new StringBuilder(payloadBytes).append(prefix).append(seq).append(':');
        while (sb.length() < payloadBytes) {
            sb.append('.');
        }
        return sb.toString();
    }

    /** The sequence number tagged in {@code payload}, or -1 when the record is not from this run. */
    int sequenceOf(String payload) {
        if (payload == null || !payload.startsWith(prefix)) {
            return -1;
        }
        int end = payload.indexOf(':', prefix.length());
        if (end < 0) {
            return -1;
        }
        try {
            int seq = Integer.parseInt(payload, prefix.length(), end, 10);
            return seq >= 0 && seq < size ? seq : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    void accepted(int seq, String id, long deliverAt) {
        ids[seq] = id;
        ackDeliverAt[seq] = deliverAt;
        outcome[seq] = 1;
    }

    void rejected(int seq) {
        outcome[seq] = 2;
    }

    /** Records one consumed record (reader thread only). */
    void observe(byte[] value, byte[] idHeader, byte[] deliverAtHeader, long timestamp, long seenMs) {
        int seq = sequenceOf(value == null ? null : new String(value, StandardCharsets.UTF_8));
        if (seq < 0) {
            foreign++;
            return;
        }
        if (emittedAt[seq] != NONE) {
            duplicates++;
            return;
        }
        long deliverAt;
        try {
            deliverAt = Long.parseLong(new String(deliverAtHeader, StandardCharsets.UTF_8).trim());
        } catch (RuntimeException e) { // header missing (NPE) or not a number
            malformed++;
            return;
        }
        emittedAt[seq] = timestamp;
        headerDeliverAt[seq] = deliverAt;
        seenAt[seq] = seenMs;
        // compared with the id the server answered in analyse(): the answer may not have been read yet
        headerIds[seq] = idHeader == null ? null : new String(idHeader, StandardCharsets.UTF_8);
        seen.incrementAndGet();
    }

    /** Records of this run seen so far (each message once). */
    int seen() {
        return seen.get();
    }

    /** Summarises the run; call after submitters and reader have stopped. */
    Delivery analyse() {
        Delivery d = new Delivery();
        d.duplicates = duplicates;
        d.foreign = foreign;
        d.malformed = malformed;
        d.firstEmit = Long.MAX_VALUE;
        d.lastEmit = Long.MIN_VALUE;
        d.lastSeen = Long.MIN_VALUE;
        for (int seq = 0; seq < size; seq++) {
            switch (outcome[seq]) {
                case 1 -> d.accepted++;
                case 2 -> d.rejected++;
                default -> d.notSent++;
            }
            if (emittedAt[seq] == NONE) {
                if (outcome[seq] == 1) {
                    d.missing++;
                }
                continue;
            }
            d.received++;
            long lateness = emittedAt[seq] - headerDeliverAt[seq];
            d.emitLateness.add(lateness);
            d.seenLateness.add(seenAt[seq] - headerDeliverAt[seq]);
            if (lateness < 0) {
                d.early++;
            }
            if (headerIds[seq] == null || (ids[seq] != null && !ids[seq].equals(headerIds[seq]))) {
                d.idMismatches++;
            }
            if (outcome[seq] == 1 && ackDeliverAt[seq] != headerDeliverAt[seq]) {
                d.deliverAtMismatches++;
            }
            if (outcome[seq] != 1) {
                d.emittedButNotAcknowledged++;
            }
            d.firstEmit = Math.min(d.firstEmit, emittedAt[seq]);
            d.lastEmit = Math.max(d.lastEmit, emittedAt[seq]);
            d.lastSeen = Math.max(d.lastSeen, seenAt[seq]);
        }
        return d;
    }

    /** Emit times (record timestamps) of the received messages, for per-second rates. */
    long[] emitTimes() {
        return Arrays.stream(emittedAt).filter(t -> t != NONE).toArray();
    }

    /** The outcome of a burst or steady run. */
    static final class Delivery {
        long accepted;
        long rejected;
        long notSent;
        long received;
        long missing;
        long early;
        long duplicates;
        long foreign;
        long malformed;
        long idMismatches;
        long deliverAtMismatches;
        long emittedButNotAcknowledged;
        long firstEmit;
        long lastEmit;
        long lastSeen;
        final Samples emitLateness = new Samples();
        final Samples seenLateness = new Samples();
    }
}
