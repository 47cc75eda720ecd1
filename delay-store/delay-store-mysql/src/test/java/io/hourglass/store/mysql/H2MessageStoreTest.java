package io.hourglass.store.mysql;

import io.hourglass.core.error.ValidationException;
import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.spi.AppStore;
import io.hourglass.core.spi.MessageStore;
import io.hourglass.store.tck.MessageStoreContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The store contract on H2 (MODE=MySQL) in a file under a temporary directory, wired as in production. A restart of
 * the backend closes the application context (and with its pool, the database) and opens the same file again.
 */
class H2MessageStoreTest extends MessageStoreContract {

    @TempDir
    static Path dir;
    private static String url;
    private static ConfigurableApplicationContext context;

    @BeforeAll
    static void openDatabase() {
        url = TestStoreApp.h2FileUrl(dir.resolve("hourglass"));
        context = TestStoreApp.start(url);
    }

    @AfterAll
    static void closeDatabase() {
        if (context != null) {
            context.close();
        }
    }

    /** Column limits are this schema's (topic 249, the Kafka limit): the core validates first; this is the backstop. */
    @Test
    @Timeout(30)
    void aValueLongerThanItsColumnIsInvalidInputAndNothingIsStored() {
        DelayMessage ok = message(t0 + 1);
        DelayMessage m = message(t0 + 2);
        DelayMessage longTopic = new DelayMessage(m.id(), m.appKey(), "t".repeat(250), m.key(), m.payload(),
                m.headers(), m.deliverAt(), m.fireAt(), m.repeatIntervalMs(), m.state(), m.attempts(), m.createdAt(),
                m.updatedAt(), m.slot(), m.version(), m.idempotencyKey(), m.claimToken(), m.claimedAt(),
                m.lastError());

        assertThatThrownBy(() -> store().insert(List.of(ok, longTopic))).isInstanceOf(ValidationException.class);

        assertThat(store().get(ok.id())).isEmpty();
        assertThat(store().get(longTopic.id())).isEmpty();
    }

    @Override
    protected MessageStore store() {
        return context.getBean(MessageStore.class);
    }

    @Override
    protected AppStore appStore() {
        return context.getBean(AppStore.class);
    }

    @Override
    protected void restartBackend() {
        context.close();
        context = TestStoreApp.start(url);
    }
}
