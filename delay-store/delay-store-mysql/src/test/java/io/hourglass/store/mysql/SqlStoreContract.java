package io.hourglass.store.mysql;

import io.hourglass.core.error.ValidationException;
import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.spi.AdminStore;
import io.hourglass.core.spi.AppStore;
import io.hourglass.core.spi.MessageStore;
import io.hourglass.store.tck.AdminStoreContract;
import io.hourglass.store.tck.AppStoreContract;
import io.hourglass.store.tck.MessageStoreContract;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.context.ApplicationContext;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The store contracts (messages, and nested: apps and admin) plus what this module's SQL schema adds, for each
 * database it runs on (H2, MariaDB): the stores come from the application context the subclass starts, wired as in
 * production.
 */
abstract class SqlStoreContract extends MessageStoreContract {

    /** The running context of the subclass's database. */
    protected abstract ApplicationContext context();

    @Override
    protected MessageStore store() {
        return context().getBean(MessageStore.class);
    }

    @Override
    protected String storedHeaders(long id) {
        return new org.springframework.jdbc.core.JdbcTemplate(context().getBean(javax.sql.DataSource.class))
                .queryForObject("SELECT headers FROM delay_message WHERE id = ?", String.class, id);
    }

    /** The app store contract on the same database and wiring. */
    @Nested
    class Apps extends AppStoreContract {
        @Override
        protected AppStore appStore() {
            return context().getBean(AppStore.class);
        }
    }

    /** The admin store contract on the same database and wiring. */
    @Nested
    class Admin extends AdminStoreContract {
        @Override
        protected AdminStore adminStore() {
            return context().getBean(AdminStore.class);
        }
    }

    /**
     * Column limits are this schema's (topic 249, the Kafka limit): the core validates first; this is the
     * backstop. H2 refuses the value; MariaDB's strict mode (its default sql_mode) refuses it with 22001 instead of
     * cutting it. Either way the whole insert is refused.
     */
    @Test
    @Timeout(30)
    void aValueLongerThanItsColumnIsInvalidInputAndNothingIsStored() {
        DelayMessage ok = message(t0 + 1);
        DelayMessage m = message(t0 + 2);
        DelayMessage longTopic = DelayMessage.scheduled(m.id(), m.appKey(), "t".repeat(250), m.key(), m.payload(),
                m.headers(), m.deliverAt(), m.repeatIntervalMs(), m.createdAt(), m.idempotencyKey());

        assertThatThrownBy(() -> store().insert(List.of(ok, longTopic))).isInstanceOf(ValidationException.class);

        assertThat(store().get(ok.id())).isEmpty();
        assertThat(store().get(longTopic.id())).isEmpty();
    }

    /**
     * A row whose stored headers cannot be read (a server in non-strict SQL mode truncates an over-long value instead
     * of refusing it) is marked DEAD at its claim; the other messages of the claim are claimed and fired as usual,
     * rather than the whole batch failing and being re-fired forever.
     */
    @Test
    @Timeout(30)
    void aStoredMessageThatCannotBeReadGoesDeadAtItsClaimAndDoesNotSinkTheOthers() {
        DelayMessage good = message(t0 + 1);
        DelayMessage mangled = message(t0 + 2);
        store().insert(List.of(good, mangled));
        new org.springframework.jdbc.core.JdbcTemplate(context().getBean(javax.sql.DataSource.class))
                .update("UPDATE delay_message SET headers = ? WHERE id = ?", "{\"trace\":\"cut off", mangled.id());

        List<DelayMessage> claimed = store().claim(List.of(good.id(), mangled.id()), t0 + 10, 77L);

        assertThat(claimed).extracting(DelayMessage::id).containsExactly(good.id());
        assertThat(new org.springframework.jdbc.core.JdbcTemplate(context().getBean(javax.sql.DataSource.class))
                .queryForObject("SELECT state FROM delay_message WHERE id = ?", String.class, mangled.id()))
                .isEqualTo("DEAD");
    }
}
