package io.hourglass.store.mysql;

import io.hourglass.core.spi.MessageStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Guarantee 1 on the embedded database: a message whose insert returned is still there after the process is killed
 * with SIGKILL, with the H2 URL the server uses ({@link TestStoreApp#H2_SETTINGS}: {@code WRITE_DELAY=0}).
 *
 * <p>A child JVM (the test class path, {@link H2CrashChild}) inserts from four threads and prints each acknowledged
 * id; it is killed ({@link Process#destroyForcibly()}, SIGKILL on Linux) while it is still writing. The test then
 * opens the file again and looks for every acknowledged id. With H2's default {@code WRITE_DELAY} of 500 ms the same
 * run loses thousands of acknowledged rows.
 */
class H2KillDurabilityTest {

    private static final int ACKS_BEFORE_KILL = 3_000;

    @TempDir
    Path dir;

    @Test
    @Timeout(180)
    void everyAcknowledgedInsertSurvivesKillMinus9() throws Exception {
        String url = TestStoreApp.h2FileUrl(dir.resolve("hourglass"));
        Path stderr = dir.resolve("child-stderr.txt");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(java.toString(), "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                H2CrashChild.class.getName(), url)
                .redirectError(stderr.toFile())
                .start();
        List<Long> acked = new ArrayList<>();
        try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while (acked.size() < ACKS_BEFORE_KILL && (line = lines.readLine()) != null) {
                if (line.startsWith("ACK ")) {
                    acked.add(Long.parseLong(line.substring(4)));
                }
            }
            child.destroyForcibly(); // SIGKILL, while the writers are mid-insert
        } finally {
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("child gone").isTrue();
        }
        assertThat(acked).as("acknowledged before the kill; child stderr:%n%s", Files.readString(stderr))
                .hasSizeGreaterThanOrEqualTo(ACKS_BEFORE_KILL);
        assertThat(child.exitValue()).as("killed, not exited").isNotZero();

        try (ConfigurableApplicationContext context = TestStoreApp.start(url)) {
            MessageStore store = context.getBean(MessageStore.class);
            List<Long> lost = acked.stream().filter(id -> store.get(id).isEmpty()).toList();
            assertThat(lost).as("acknowledged but lost (of %d)", acked.size()).isEmpty();
        }
    }
}
