package io.hourglass.store.mysql;

import io.hourglass.core.model.App;
import io.hourglass.core.model.AppQuotas;
import io.hourglass.core.model.AppSecret;
import io.hourglass.core.spi.AppStore;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A database made by an earlier version (migrations up to V2) with an app in it is upgraded at start by V3: the app
 * keeps its key, secret, flag and creation time and gets the new columns' defaults.
 */
class SchemaUpgradeTest {

    @TempDir
    Path dir;

    @Test
    @Timeout(60)
    void anAppOfAnEarlierSchemaIsReadWithDefaultsAfterTheUpgrade() throws Exception {
        String url = TestStoreApp.h2FileUrl(dir.resolve("old"));
        Flyway.configure().dataSource(url, "sa", "").target("2").load().migrate();
        try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement st = c.createStatement()) {
            st.executeUpdate("INSERT INTO delay_message_app (app_key, secret_hash, salt, enabled, created_at)"
                    + " VALUES ('old-app', 'hash-1', 'salt-1', FALSE, 1700000000000)");
            st.executeUpdate("INSERT INTO delay_message_topic (app_key, topic, created_at)"
                    + " VALUES ('old-app', 'orders', 1700000000000)");
        }

        try (ConfigurableApplicationContext context = TestStoreApp.start(url)) {
            AppStore apps = context.getBean(AppStore.class);
            App read = apps.findApp("old-app").orElseThrow();

            assertThat(read).isEqualTo(new App("old-app", "old-app", "", "", false, AppQuotas.NONE,
                    new AppSecret("hash-1", "salt-1"), null, 1_700_000_000_000L, 1_700_000_000_000L, 0));
            assertThat(apps.topicsOf("old-app")).containsExactly("orders");
            assertThat(apps.updateApp(read.withEnabled(true).touched(1_700_000_000_001L))).isTrue();
            assertThat(apps.findApp("old-app").orElseThrow().enabled()).isTrue();
        }
    }
}
