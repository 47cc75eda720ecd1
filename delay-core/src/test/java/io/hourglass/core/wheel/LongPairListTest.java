package io.hourglass.core.wheel;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LongPairListTest {

    @Test
    void keepsPairsInOrderAcrossChunkBoundaries() {
        LongPairList list = new LongPairList();
        int n = LongPairList.CHUNK_PAIRS * 3 + 17;
        for (int i = 0; i < n; i++) {
            list.add(i * 10L, i);
        }
        assertThat(list.size()).isEqualTo(n);
        for (int i = 0; i < n; i++) {
            assertThat(list.fireAt(i)).isEqualTo(i * 10L);
            assertThat(list.id(i)).isEqualTo(i);
        }
    }

    @Test
    void removeIfCompactsAndReleasesEmptiedChunks() {
        LongPairList list = new LongPairList();
        int n = LongPairList.CHUNK_PAIRS * 4;
        for (int i = 0; i < n; i++) {
            list.add(i, i);
        }
        long before = list.capacityBytes();
        assertThat(list.removeIf(id -> id % 4 != 0)).isEqualTo(n - n / 4);
        List<Long> ids = new ArrayList<>();
        list.forEach((f, id) -> ids.add(id));
        assertThat(ids).hasSize(n / 4).allMatch(id -> id % 4 == 0).isSorted();
        assertThat(list.capacityBytes()).isLessThan(before);
        list.add(1, 1); // still usable after shrinking
        assertThat(list.size()).isEqualTo(n / 4 + 1);
    }

    @Test
    void noArrayIsLargerThanOneChunk() {
        LongPairList list = new LongPairList();
        for (int i = 0; i < 200_000; i++) {
            list.add(i, i);
        }
        // 200k pairs = 3.2 MB of pairs held in 16 KiB chunks plus a small table of chunk references
        long chunkBytes = 16L + LongPairList.CHUNK_PAIRS * 2L * 8L;
        long chunksNeeded = (200_000 + LongPairList.CHUNK_PAIRS - 1) / LongPairList.CHUNK_PAIRS;
        assertThat(list.capacityBytes()).isLessThan(chunksNeeded * chunkBytes + 4_096);
    }
}
