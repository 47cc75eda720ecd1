package io.hourglass.testsupport;

import io.hourglass.core.error.StoreUnavailableException;
import io.hourglass.core.spi.AdminStore;
import io.hourglass.core.spi.AppStore;
import io.hourglass.core.spi.MessageStore;
import io.hourglass.core.testing.InMemoryAdminStore;
import io.hourglass.core.testing.InMemoryAppStore;
import io.hourglass.core.testing.InMemoryMessageStore;
import io.hourglass.store.tck.AdminStoreContract;
import io.hourglass.store.tck.AppStoreContract;
import io.hourglass.store.tck.MessageStoreContract;
import org.junit.jupiter.api.Nested;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The in-memory stores that delay-core's tests run on, held to the contracts the real stores pass: a core test that
 * passes on a fake that does not behave like the real stores proves nothing. One store for the whole class, as a
 * real database is shared by the suite (the contracts isolate tests by slot, app key and time).
 */
class InMemoryStoresContractTest extends MessageStoreContract {

    private static final InMemoryMessageStore MESSAGES = new InMemoryMessageStore();
    private static final InMemoryAppStore APPS = new InMemoryAppStore();
    private static final InMemoryAdminStore ADMIN = new InMemoryAdminStore();

    @Override
    protected MessageStore store() {
        return MESSAGES;
    }

    /** The store goes away (every call fails as with a database that is down) and comes back with what it held. */
    @Override
    protected void restartBackend() {
        MESSAGES.setDown(true);
        assertThatThrownBy(() -> MESSAGES.get(0)).isInstanceOf(StoreUnavailableException.class);
        MESSAGES.setDown(false);
    }

    /** The app store contract on the in-memory app store. */
    @Nested
    class Apps extends AppStoreContract {
        @Override
        protected AppStore appStore() {
            return APPS;
        }
    }

    /** The admin store contract on the in-memory admin store. */
    @Nested
    class Admin extends AdminStoreContract {
        @Override
        protected AdminStore adminStore() {
            return ADMIN;
        }
    }
}
