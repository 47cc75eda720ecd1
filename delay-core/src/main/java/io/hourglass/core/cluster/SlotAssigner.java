package io.hourglass.core.cluster;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The assignment of slots to servers: a pure function of the member ids and the slot universe, so that every server
 * that sees the same view computes the same assignment, whatever the order it learnt them in.
 *
 * <p>Balanced: every member gets {@code floor(m/n)} or {@code ceil(m/n)} slots. Stable: it is rendezvous (highest
 * random weight) hashing with capacities. Every (slot, member) pair gets a fixed pseudo-random score; pairs are taken
 * best score first and a pair is kept when the slot is still free and the member still has room. A member's score for
 * a slot does not depend on who else is there, so when one member joins or leaves mostly the slots that must move do
 * move (about {@code m/n}); the capacity limit makes a few more move. Cost: O(m·n·log(m·n)), about 10 ms for 1024
 * slots and 16 servers, once per rebalance.
 */
public final class SlotAssigner {

    private SlotAssigner() {
    }

    /**
     * @param members the live servers' ids (any order, duplicates ignored)
     * @param slots   the slot universe (any order, duplicates ignored)
     * @return every member mapped to its slots (possibly none); each slot given to exactly one member, or to nobody
     * when there is no member
     */
    public static Map<String, SortedSet<Integer>> assign(Collection<String> members, Collection<Integer> slots) {
        List<String> nodes = new ArrayList<>(new TreeSet<>(members));
        List<Integer> universe = new ArrayList<>(new TreeSet<>(slots));
        Map<String, SortedSet<Integer>> result = new TreeMap<>();
        nodes.forEach(node -> result.put(node, new TreeSet<>()));
        if (nodes.isEmpty() || universe.isEmpty()) {
            return freeze(result);
        }
        int n = nodes.size();
        int m = universe.size();
        int floor = m / n;
        int extra = m % n; // this many members get floor + 1

        List<long[]> pairs = new ArrayList<>(n * m); // {score, node index, slot index}
        for (int i = 0; i < n; i++) {
            long nodeHash = fnv1a(nodes.get(i));
            for (int j = 0; j < m; j++) {
                pairs.add(new long[] {mix(nodeHash ^ (universe.get(j) * 0x9E3779B97F4A7C15L)), i, j});
            }
        }
        pairs.sort(Comparator.<long[]>comparingLong(p -> p[0]).reversed()
                .thenComparingLong(p -> p[1]).thenComparingLong(p -> p[2]));

        int[] count = new int[n];
        boolean[] taken = new boolean[m];
        int atCeiling = 0;
        int left = m;
        for (long[] p : pairs) {
            int node = (int) p[1];
            int slot = (int) p[2];
            if (taken[slot]) {
                continue;
            }
            boolean room = count[node] < floor || (count[node] == floor && atCeiling < extra);
            if (!room) {
                continue;
            }
            taken[slot] = true;
            if (++count[node] == floor + 1) {
                atCeiling++;
            }
            result.get(nodes.get(node)).add(universe.get(slot));
            if (--left == 0) {
                break;
            }
        }
        return freeze(result);
    }

    private static Map<String, SortedSet<Integer>> freeze(Map<String, SortedSet<Integer>> map) {
        map.replaceAll((k, v) -> Collections.unmodifiableSortedSet(v));
        return Collections.unmodifiableMap(map);
    }

    /** FNV-1a, 64 bit, of the UTF-8 bytes: the same on every JVM (unlike identity hashes). */
    private static long fnv1a(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    /** The 64-bit finalizer of MurmurHash3: spreads every input bit over the output. */
    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }
}
