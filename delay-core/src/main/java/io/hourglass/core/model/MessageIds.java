package io.hourglass.core.model;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Message ids: one positive {@code long} that carries its slot, so the wheel holds primitives and any server
 * can route a request by the id alone.
 *
 * <pre>
 *  63      62 ............ 22 21 ...... 12 11 ...... 0
 *  [0] [ ms since 2024-01-01 (41 bits) ] [ slot (10) ] [ seq (12) ]
 * </pre>
 *
 * 41 bits of milliseconds last until 2093; 10 bits allow up to {@value #MAX_SLOTS} slots; 12 bits allow 4096 ids
 * per millisecond per slot (the generator borrows the next millisecond when a slot runs out, and never goes
 * backwards when the wall clock does). Ids are unique as long as one server at a time makes ids for a slot,
 * which slot ownership guarantees; the store's primary key is the last line of defence.
 *
 * <p>The external form is the unsigned decimal string; clients must treat it as opaque.
 */
public final class MessageIds {

    public static final int MAX_SLOTS = 1 << 10;
    static final long EPOCH = 1_704_067_200_000L; // 2024-01-01T00:00:00Z
    private static final int SEQ_BITS = 12;
    private static final int SLOT_BITS = 10;
    private static final long SEQ_MASK = (1L << SEQ_BITS) - 1;
    private static final long SLOT_MASK = (1L << SLOT_BITS) - 1;

    /** Per slot: last (ms << 12 | seq) handed out. */
    private final AtomicLongArray last = new AtomicLongArray(MAX_SLOTS);

    /** Makes the next id for {@code slot} at wall time {@code now} (epoch ms). Thread-safe and lock-free. */
    public long next(int slot, long now) {
        if (slot < 0 || slot >= MAX_SLOTS) {
            throw new IllegalArgumentException("slot out of range: " + slot);
        }
        long candidate = (Math.max(now, EPOCH) - EPOCH) << SEQ_BITS;
        while (true) {
            long prev = last.get(slot);
            long next = candidate > prev ? candidate : prev + 1; // same ms, clock went back, or seq overflow: borrow
            if (last.compareAndSet(slot, prev, next)) {
                long ms = next >>> SEQ_BITS;
                long seq = next & SEQ_MASK;
                return (ms << (SLOT_BITS + SEQ_BITS)) | ((long) slot << SEQ_BITS) | seq;
            }
        }
    }

    public static int slotOf(long id) {
        return (int) ((id >>> SEQ_BITS) & SLOT_MASK);
    }

    /** Approximate creation time (epoch ms) encoded in the id. */
    public static long timeOf(long id) {
        return (id >>> (SLOT_BITS + SEQ_BITS)) + EPOCH;
    }

    public static String format(long id) {
        return Long.toString(id);
    }

    /**
     * Parses the external form.
     *
     * @return the id, or {@code -1} when the text is not an id this server could have made
     */
    public static long parse(String text) {
        if (text == null || text.isEmpty() || text.length() > 19) {
            return -1;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
        }
        try {
            long id = Long.parseLong(text);
            return id > 0 ? id : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
