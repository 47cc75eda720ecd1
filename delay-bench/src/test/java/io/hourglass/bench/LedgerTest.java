package io.hourglass.bench;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class LedgerTest {

    private static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void payloadsCarryTheirSequenceNumberAndHaveTheRequestedSize() {
        Ledger ledger = new Ledger(1000, 64, "abc");
        assertThat(ledger.payload(123)).hasSize(64).startsWith("hgb:abc:123:");
        assertThat(ledger.sequenceOf(ledger.payload(123))).isEqualTo(123);
        assertThat(ledger.sequenceOf(new Ledger(1000, 64, "other").payload(5))).isEqualTo(-1);
        assertThat(ledger.sequenceOf("hgb:abc:99999:")).isEqualTo(-1); // out of range
        assertThat(ledger.sequenceOf("hgb:abc:x:")).isEqualTo(-1);
        assertThat(ledger.sequenceOf(null)).isEqualTo(-1);
    }

    @Test
    void recordsAreMatchedAndClassified() {
        Ledger ledger = new Ledger(5, 40, "run");
        for (int seq = 0; seq < 4; seq++) {
            ledger.accepted(seq, "id" + seq, 1_000);
        }
        ledger.rejected(4);
        // seq 0: on time; seq 1: 7 ms late; seq 2: early; seq 3: never emitted; seq 0 again: a duplicate
        ledger.observe(utf8(ledger.payload(0)), utf8("id0"), utf8("1000"), 1_000, 1_003);
        ledger.observe(utf8(ledger.payload(1)), utf8("id1"), utf8("1000"), 1_007, 1_010);
        ledger.observe(utf8(ledger.payload(2)), utf8("wrong"), utf8("1000"), 999, 1_001);
        ledger.observe(utf8(ledger.payload(0)), utf8("id0"), utf8("1000"), 1_020, 1_021);
        ledger.observe(utf8("someone else's record"), utf8("x"), utf8("1"), 5, 5);
        ledger.observe(utf8(new Ledger(5, 40, "old-run").payload(1)), utf8("id1"), utf8("1"), 5, 5);

        assertThat(ledger.seen()).isEqualTo(3);
        Ledger.Delivery d = ledger.analyse();
        assertThat(d.accepted).isEqualTo(4);
        assertThat(d.rejected).isEqualTo(1);
        assertThat(d.received).isEqualTo(3);
        assertThat(d.missing).isEqualTo(1);
        assertThat(d.early).isEqualTo(1);
        assertThat(d.duplicates).isEqualTo(1);
        assertThat(d.foreign).isEqualTo(2);
        assertThat(d.idMismatches).isEqualTo(1);
        assertThat(d.emitLateness.max()).isEqualTo(7);
        assertThat(d.emitLateness.min()).isEqualTo(-1);
        assertThat(d.seenLateness.max()).isEqualTo(10);
        assertThat(d.lastEmit).isEqualTo(1_007);
    }

    @Test
    void aRecordWithoutDeliverAtHeaderIsCountedNotTrusted() {
        Ledger ledger = new Ledger(1, 40, "run");
        ledger.accepted(0, "id0", 1_000);
        ledger.observe(utf8(ledger.payload(0)), utf8("id0"), null, 1_000, 1_000);
        Ledger.Delivery d = ledger.analyse();
        assertThat(d.malformed).isEqualTo(1);
        assertThat(d.missing).isEqualTo(1);
    }

    @Test
    void emitsAreCountedPerSecondOfTheDueWindow() {
        long[] counts = LoadGenerator.perSecond(new long[] {999, 1_000, 1_999, 2_000, 2_500, 4_000}, 1_000, 3);
        assertThat(counts).containsExactly(2, 2, 0);
    }
}
