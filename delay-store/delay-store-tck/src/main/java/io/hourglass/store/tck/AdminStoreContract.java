package io.hourglass.store.tck;

import io.hourglass.core.model.AdminRole;
import io.hourglass.core.model.AdminUser;
import io.hourglass.core.model.AppStatPoint;
import io.hourglass.core.model.AuditEntry;
import io.hourglass.core.model.NodeSnapshot;
import io.hourglass.core.model.Setting;
import io.hourglass.core.spi.AdminStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract every {@link AdminStore} must pass (MySQL/MariaDB, H2, Cassandra, ...): admin users, the audit log,
 * per-app stats and node snapshots.
 *
 * <p>Isolation: the tests share one backend that may outlive the run. Usernames and audit targets start with a
 * random prefix of the test, and audit ids lie in a random range of the test's own, so listings are narrowed to them.
 */
public abstract class AdminStoreContract {

    /** Username / target prefix of this test. */
    protected final String me = "tck-admin-" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40, 1L << 50),
            36);
    protected final long t0 = 1_800_000_000_000L + ThreadLocalRandom.current().nextLong(2_000_000_000_000L);
    /** First audit id of this test: random, far from any other test's (ids of a test span at most a few hundred). */
    protected final long auditBase = ThreadLocalRandom.current().nextLong(1L << 40, 1L << 62);

    /** The admin store under test. Called on every use. */
    protected abstract AdminStore adminStore();

    // ---------------------------------------------------------------- users

    @Test
    @Timeout(30)
    void createdUserIsFoundWithEveryFieldAndAnUnknownUserIsNot() {
        AdminUser u = new AdminUser(me, "{bcrypt}$2a$10$" + "x".repeat(53), AdminRole.OPERATOR, true, t0, t0 + 1, 0);

        assertThat(adminStore().createUser(u)).isTrue();

        assertThat(adminStore().findUser(me)).contains(u);
        assertThat(adminStore().findUser(me + "-unknown")).isEmpty();
    }

    @Test
    @Timeout(30)
    void createOfAnExistingUsernameReturnsFalseAndChangesNothing() {
        AdminUser u = new AdminUser(me, "{noop}one", AdminRole.VIEWER, true, t0, t0, 0);
        adminStore().createUser(u);

        assertThat(adminStore().createUser(new AdminUser(me, "{noop}two", AdminRole.ADMIN, false, t0 + 1, t0 + 1, 0)))
                .isFalse();

        assertThat(adminStore().findUser(me)).contains(u);
    }

    @Test
    @Timeout(30)
    void usernamesAreCaseSensitive() {
        AdminUser lower = new AdminUser(me + "-x", "{noop}a", AdminRole.VIEWER, true, t0, t0, 0);
        AdminUser upper = new AdminUser(me + "-X", "{noop}b", AdminRole.ADMIN, true, t0, t0, 0);

        assertThat(adminStore().createUser(lower)).isTrue();
        assertThat(adminStore().createUser(upper)).isTrue();

        assertThat(adminStore().findUser(me + "-x")).contains(lower);
        assertThat(adminStore().findUser(me + "-X")).contains(upper);
    }

    @Test
    @Timeout(30)
    void updateWithTheNextVersionWinsAndAStaleVersionChangesNothing() {
        AdminUser u = new AdminUser(me, "{noop}one", AdminRole.VIEWER, true, t0, t0, 0);
        adminStore().createUser(u);
        AdminUser promoted = new AdminUser(me, "{noop}two", AdminRole.ADMIN, false, t0 + 999, t0 + 10, 0)
                .touched(t0 + 10);
        AdminUser stale = new AdminUser(me, "{noop}late", AdminRole.OPERATOR, true, t0, t0 + 20, 1);

        assertThat(adminStore().updateUser(promoted)).isTrue();
        assertThat(adminStore().updateUser(stale)).isFalse();

        assertThat(adminStore().findUser(me)).as("createdAt never changes")
                .contains(new AdminUser(me, "{noop}two", AdminRole.ADMIN, false, t0, t0 + 10, 1));
        assertThat(adminStore().updateUser(new AdminUser(me + "-unknown", "{noop}x", AdminRole.VIEWER, true, t0, t0,
                1))).isFalse();
        assertThat(adminStore().findUser(me + "-unknown")).isEmpty();
    }

    @Test
    @Timeout(30)
    void deleteRemovesTheUserOnce() {
        adminStore().createUser(new AdminUser(me, "{noop}one", AdminRole.VIEWER, true, t0, t0, 0));

        assertThat(adminStore().deleteUser(me)).isTrue();
        assertThat(adminStore().deleteUser(me)).isFalse();
        assertThat(adminStore().findUser(me)).isEmpty();

        AdminUser again = new AdminUser(me, "{noop}two", AdminRole.ADMIN, true, t0 + 5, t0 + 5, 0);
        assertThat(adminStore().createUser(again)).as("a deleted username is free again").isTrue();
        assertThat(adminStore().findUser(me)).contains(again);
    }

    @Test
    @Timeout(30)
    void listUsersReturnsEveryUserByUsername() {
        List<AdminUser> mine = new ArrayList<>();
        for (String suffix : List.of("c", "a", "b")) {
            AdminUser u = new AdminUser(me + "-" + suffix, "{noop}" + suffix, AdminRole.values()[suffix.charAt(0) % 3],
                    true, t0, t0, 0);
            mine.add(u);
            adminStore().createUser(u);
        }

        List<AdminUser> all = adminStore().listUsers();

        assertThat(all.stream().map(AdminUser::username).toList()).isSorted().doesNotHaveDuplicates();
        assertThat(all.stream().filter(u -> u.username().startsWith(me + "-")).toList())
                .containsExactly(mine.get(1), mine.get(2), mine.get(0));
    }

    // ---------------------------------------------------------------- audit

    @Test
    @Timeout(30)
    void auditEntriesRoundTripEveryField() {
        AuditEntry full = new AuditEntry(auditBase, t0, me, "app.update", me + "-app",
                "{\"enabled\":true,\"name\":\"é 😀\"}", "{\"enabled\":false}");
        AuditEntry bare = new AuditEntry(auditBase + 1, t0 + 1, me, "app.create", me + "-app", null, null);

        adminStore().appendAudit(full);
        adminStore().appendAudit(bare);

        assertThat(adminStore().listAudit(auditBase + 2, me + "-app", 10)).containsExactly(bare, full);
    }

    @Test
    @Timeout(30)
    void listAuditIsNewestFirstAndPagesWithBeforeId() {
        List<AuditEntry> entries = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            entries.add(new AuditEntry(auditBase + i * 3L, t0 + i, me, "topic.allow", me + "-t" + (i % 2),
                    null, "{\"i\":" + i + "}"));
        }
        for (int i : new int[] {3, 0, 6, 1, 5, 2, 4}) { // appended out of order
            adminStore().appendAudit(entries.get(i));
        }
        long top = auditBase + 7 * 3L;

        List<AuditEntry> page1 = adminStore().listAudit(top, null, 3);
        List<AuditEntry> page2 = adminStore().listAudit(page1.get(2).id(), null, 3);
        List<AuditEntry> page3 = adminStore().listAudit(page2.get(2).id(), null, 3);

        assertThat(page1).containsExactly(entries.get(6), entries.get(5), entries.get(4));
        assertThat(page2).containsExactly(entries.get(3), entries.get(2), entries.get(1));
        assertThat(page3).hasSizeLessThanOrEqualTo(3).first().isEqualTo(entries.get(0));
        assertThat(adminStore().listAudit(entries.get(6).id(), null, 1)).containsExactly(entries.get(5));
    }

    @Test
    @Timeout(30)
    void listAuditOfOneTargetReturnsOnlyItsEntriesNewestFirst() {
        List<AuditEntry> entries = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            AuditEntry e = new AuditEntry(auditBase + i, t0 + i, me, "app.update", me + "-t" + (i % 3), null, null);
            entries.add(e);
            adminStore().appendAudit(e);
        }

        assertThat(adminStore().listAudit(Long.MAX_VALUE, me + "-t1", 10))
                .containsExactly(entries.get(7), entries.get(4), entries.get(1));
        assertThat(adminStore().listAudit(Long.MAX_VALUE, me + "-t1", 2))
                .containsExactly(entries.get(7), entries.get(4));
        assertThat(adminStore().listAudit(entries.get(4).id(), me + "-t1", 10)).containsExactly(entries.get(1));
        assertThat(adminStore().listAudit(Long.MAX_VALUE, me + "-none", 10)).isEmpty();
    }

    @Test
    @Timeout(30)
    void theNewestPageStartsAtTheNewestEntry() {
        AuditEntry e = new AuditEntry(Long.MAX_VALUE - 1 - ThreadLocalRandom.current().nextLong(1L << 30), t0, me,
                "user.create", me, null, null);
        adminStore().appendAudit(e);

        List<AuditEntry> newest = adminStore().listAudit(Long.MAX_VALUE, null, 5);

        assertThat(newest).isNotEmpty();
        assertThat(newest.stream().map(AuditEntry::id).toList()).isSortedAccordingTo((a, b) -> Long.compare(b, a));
        assertThat(newest.get(0).id()).isGreaterThanOrEqualTo(e.id());
        assertThat(adminStore().listAudit(Long.MAX_VALUE, me, 5)).containsExactly(e);
    }

    // ---------------------------------------------------------------- per-app stats

    @Test
    @Timeout(30)
    void appStatsSumTheDeltasOfEveryCallAndServerPerAppAndBucket() {
        long b0 = AppStatPoint.bucketOf(t0);
        long b1 = b0 + AppStatPoint.BUCKET_MS;
        String a = me + "-a";
        String b = me + "-b";

        adminStore().addAppStats(List.of(new AppStatPoint(a, b0, 5, 3, 1), new AppStatPoint(a, b0, 1, 1, 0),
                new AppStatPoint(b, b1, 7, 0, 0)));
        adminStore().addAppStats(List.of(new AppStatPoint(a, b0, 10, 0, 2), new AppStatPoint(a, b1, 1, 2, 3)));

        assertThat(adminStore().appStats(a, b0, b1 + AppStatPoint.BUCKET_MS)).containsExactly(
                new AppStatPoint(a, b0, 16, 4, 3), new AppStatPoint(a, b1, 1, 2, 3));
        assertThat(adminStore().appStats(a, b1, b1 + AppStatPoint.BUCKET_MS))
                .as("from inclusive").containsExactly(new AppStatPoint(a, b1, 1, 2, 3));
        assertThat(adminStore().appStats(a, b0, b1)).as("to exclusive")
                .containsExactly(new AppStatPoint(a, b0, 16, 4, 3));
        assertThat(adminStore().appStats(me + "-none", b0, b1 + AppStatPoint.BUCKET_MS)).isEmpty();
    }

    @Test
    @Timeout(30)
    void appStatsOfEveryAppAreOrderedByAppThenBucket() {
        long b0 = AppStatPoint.bucketOf(t0);
        long b1 = b0 + AppStatPoint.BUCKET_MS;
        adminStore().addAppStats(List.of(new AppStatPoint(me + "-b", b1, 1, 0, 0),
                new AppStatPoint(me + "-b", b0, 2, 0, 0), new AppStatPoint(me + "-a", b1, 3, 0, 0)));

        List<AppStatPoint> all = adminStore().appStats(null, b0, b1 + AppStatPoint.BUCKET_MS);

        assertThat(all.stream().filter(p -> p.appKey().startsWith(me + "-")).toList()).containsExactly(
                new AppStatPoint(me + "-a", b1, 3, 0, 0), new AppStatPoint(me + "-b", b0, 2, 0, 0),
                new AppStatPoint(me + "-b", b1, 1, 0, 0));
        assertThat(all).allSatisfy(p -> assertThat(p.bucketStart()).isBetween(b0, b1));
    }

    // ---------------------------------------------------------------- node snapshots

    @Test
    @Timeout(30)
    void nodeSnapshotsAreKeptAsHistoryReadSinceATimeAndPurgedBeforeOne() {
        List<NodeSnapshot> mine = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            mine.add(new NodeSnapshot(me + "-n" + (i % 2), "http://10.0.0." + i + ":8080", "0.1.0", t0 - 1000,
                    t0 + i * 1000L, 32 + i, 1000L * i, 100L << 20, 512L << 20));
        }
        for (int i : new int[] {2, 0, 3, 1}) {
            adminStore().saveNodeSnapshot(mine.get(i));
        }

        List<NodeSnapshot> since = adminStore().nodeSnapshots(t0 + 1000).stream()
                .filter(s -> s.nodeId().startsWith(me + "-")).toList();
        assertThat(since).containsExactly(mine.get(1), mine.get(2), mine.get(3));

        int purged = adminStore().purgeNodeSnapshots(t0 + 2000);

        assertThat(purged).isGreaterThanOrEqualTo(2);
        assertThat(adminStore().nodeSnapshots(t0 - 1).stream().filter(s -> s.nodeId().startsWith(me + "-")).toList())
                .containsExactly(mine.get(2), mine.get(3));
        assertThat(adminStore().nodeSnapshots(Long.MIN_VALUE)).allSatisfy(s ->
                assertThat(s.takenAt()).isGreaterThanOrEqualTo(t0 + 2000));
    }

    // ---------------------------------------------------------------- settings

    @Test
    @Timeout(30)
    void aSettingIsWrittenReadReplacedAndDeletedOnce() {
        String name = "tck." + me + ".callback.target.orders";
        String json = "{\"url\":\"https://hooks.example.com/x?a=1&b=\u00e9\",\"headers\":{\"X-A\":\"\u2603\"}}";
        assertThat(adminStore().findSetting(name)).isEmpty();

        adminStore().putSetting(new Setting(name, json, t0));
        assertThat(adminStore().findSetting(name)).contains(new Setting(name, json, t0));

        adminStore().putSetting(new Setting(name, "{}", t0 + 1));
        assertThat(adminStore().findSetting(name)).contains(new Setting(name, "{}", t0 + 1));

        assertThat(adminStore().deleteSetting(name)).isTrue();
        assertThat(adminStore().findSetting(name)).isEmpty();
        assertThat(adminStore().deleteSetting(name)).isFalse();
    }

    @Test
    @Timeout(30)
    void settingsOfAPrefixAreListedByNameAndNoOthers() {
        String prefix = "tck." + me + ".";
        List<String> names = List.of(prefix + "b", prefix + "a.x", prefix + "a", prefix + "c.long.name");
        for (String n : names) {
            adminStore().putSetting(new Setting(n, "v-" + n, t0));
        }
        adminStore().putSetting(new Setting("tck." + me + "-sibling", "not mine", t0)); // shares all but the dot
        adminStore().putSetting(new Setting("tck." + me, "the prefix without its dot", t0));

        assertThat(adminStore().settings(prefix)).extracting(Setting::name)
                .containsExactly(prefix + "a", prefix + "a.x", prefix + "b", prefix + "c.long.name");
        assertThat(adminStore().settings(prefix + "a")).extracting(Setting::name)
                .containsExactly(prefix + "a", prefix + "a.x");
        assertThat(adminStore().settings(prefix + "zzz")).isEmpty();
        assertThat(adminStore().settings(prefix + "b")).singleElement()
                .isEqualTo(new Setting(prefix + "b", "v-" + prefix + "b", t0));
    }

    @Test
    @Timeout(30)
    void aSettingValueOfTheMaximumSizeRoundTrips() {
        String name = "tck." + me + ".big";
        String value = "x".repeat(Setting.MAX_VALUE_BYTES);

        adminStore().putSetting(new Setting(name, value, t0));

        assertThat(adminStore().findSetting(name)).hasValueSatisfying(s -> assertThat(s.value()).isEqualTo(value));
    }
}
