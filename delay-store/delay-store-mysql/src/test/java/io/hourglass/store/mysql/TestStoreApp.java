package io.hourglass.store.mysql;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The production wiring in a test: a Boot application with auto-configuration on (DataSource, Flyway, MyBatis and
 * this module's {@code MysqlStoreAutoConfiguration}, found through its {@code AutoConfiguration.imports}).
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class TestStoreApp {

    /**
     * The H2 settings the server uses: MySQL mode as the one schema and mapper need, and {@code WRITE_DELAY=0} so that
     * every commit is in the file when it returns (see {@code H2KillDurabilityTest}).
     */
    static final String H2_SETTINGS = ";MODE=MySQL;DATABASE_TO_LOWER=TRUE;CASE_INSENSITIVE_IDENTIFIERS=TRUE"
            + ";NON_KEYWORDS=VALUE;WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE;QUERY_CACHE_SIZE=64";

    static String h2FileUrl(Path file) {
        return "jdbc:h2:file:" + file.toAbsolutePath() + H2_SETTINGS;
    }

    static ConfigurableApplicationContext start(String jdbcUrl, String... properties) {
        List<String> props = new ArrayList<>(List.of(
                "spring.datasource.url=" + jdbcUrl,
                "spring.datasource.username=sa",
                "spring.datasource.password=",
                "spring.datasource.hikari.maximum-pool-size=8",
                "spring.main.banner-mode=off",
                "spring.main.log-startup-info=false"));
        props.addAll(List.of(properties));
        return new SpringApplicationBuilder(TestStoreApp.class)
                .web(WebApplicationType.NONE)
                .properties(props.toArray(String[]::new))
                .run();
    }
}
