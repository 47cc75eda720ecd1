package io.hourglass.store.mysql;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import java.nio.file.Path;

/**
 * The store contract on H2 (MODE=MySQL) in a file under a temporary directory, wired as in production. A restart of
 * the backend closes the application context (and with its pool, the database) and opens the same file again.
 */
class H2MessageStoreTest extends SqlStoreContract {

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

    @Override
    protected ApplicationContext context() {
        return context;
    }

    @Override
    protected void restartBackend() {
        context.close();
        context = TestStoreApp.start(url);
    }
}
