package io.hourglass.store.mysql;

import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.model.MessageIds;
import io.hourglass.core.spi.AdminStore;
import io.hourglass.core.spi.AppStore;
import io.hourglass.core.spi.MessageStore;
import org.apache.ibatis.session.SqlSessionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mybatis.spring.boot.autoconfigure.MybatisAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.flyway.FlywayAutoConfiguration;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.boot.autoconfigure.jdbc.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import javax.sql.DataSource;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Which beans the store's auto-configuration makes, and when it backs off. */
@Timeout(60)
class MysqlStoreAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                    DataSourceTransactionManagerAutoConfiguration.class, FlywayAutoConfiguration.class,
                    MybatisAutoConfiguration.class, MysqlStoreAutoConfiguration.class))
            .withPropertyValues("spring.datasource.url=jdbc:h2:mem:" + UUID.randomUUID()
                    + ";DB_CLOSE_DELAY=-1" + TestStoreApp.H2_SETTINGS);

    @Test
    void withoutATypeTheMysqlStoreIsCreatedOnAMigratedSchema() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(MessageStore.class).hasSingleBean(AppStore.class)
                    .hasSingleBean(AdminStore.class);
            assertThat(context.getBean(MessageStore.class)).isInstanceOf(MybatisMessageStore.class);
            assertThat(context.getBean(AdminStore.class)).isInstanceOf(MybatisAdminStore.class);
            assertThat(context.getBean(MysqlStoreProperties.class)).isEqualTo(MysqlStoreProperties.defaults());
            MessageStore store = context.getBean(MessageStore.class);
            long now = 1_800_000_000_000L;
            DelayMessage m = DelayMessage.scheduled(new MessageIds().next(3, now), "app", "t", null, "p", null,
                    now + 1, null, now, null);
            store.insert(List.of(m));
            assertThat(store.get(m.id())).contains(m);
        });
    }

    @Test
    void typeMysqlCreatesTheStore() {
        runner.withPropertyValues("delay.store.type=mysql").run(context ->
                assertThat(context).hasSingleBean(MessageStore.class).hasSingleBean(AppStore.class)
                        .hasSingleBean(AdminStore.class));
    }

    @Test
    void typeCassandraBacksOff() {
        runner.withPropertyValues("delay.store.type=cassandra").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(MessageStore.class)
                    .doesNotHaveBean(AppStore.class)
                    .doesNotHaveBean(AdminStore.class)
                    .doesNotHaveBean(MysqlStoreProperties.class);
        });
    }

    @Test
    void aMessageStoreOfTheApplicationWins() {
        runner.withUserConfiguration(UserMessageStore.class).run(context -> {
            assertThat(context).hasSingleBean(MessageStore.class);
            assertThat(context.getBean(MessageStore.class)).isSameAs(context.getBean("userMessageStore"));
            assertThat(context.getBean(AppStore.class)).isInstanceOf(MybatisAppStore.class);
        });
    }

    @Test
    void anAppStoreOfTheApplicationWins() {
        runner.withUserConfiguration(UserAppStore.class).run(context -> {
            assertThat(context).hasSingleBean(AppStore.class);
            assertThat(context.getBean(AppStore.class)).isSameAs(context.getBean("userAppStore"));
            assertThat(context.getBean(MessageStore.class)).isInstanceOf(MybatisMessageStore.class);
        });
    }

    @Test
    void anAdminStoreOfTheApplicationWins() {
        runner.withUserConfiguration(UserAdminStore.class).run(context -> {
            assertThat(context).hasSingleBean(AdminStore.class);
            assertThat(context.getBean(AdminStore.class)).isSameAs(context.getBean("userAdminStore"));
            assertThat(context.getBean(AppStore.class)).isInstanceOf(MybatisAppStore.class);
        });
    }

    @Test
    void withoutMybatisOnTheClassPathItBacksOff() {
        runner.withClassLoader(new FilteredClassLoader(SqlSessionFactory.class)).run(context ->
                assertThat(context).doesNotHaveBean(MessageStore.class).doesNotHaveBean(AppStore.class)
                        .doesNotHaveBean(AdminStore.class));
    }

    @Test
    void aBadSettingStopsTheStartAndNamesTheKey() {
        runner.withPropertyValues("delay.store.mysql.batch-size=0").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("batchSize");
            assertThat(context.getStartupFailure()).hasMessageContaining("delay.store");
        });
        runner.withPropertyValues("delay.store.mysql.transaction-timeout=10ms").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause()
                    .hasMessageContaining("delay.store.mysql.transaction-timeout");
        });
    }

    @Test
    void settingsAreBound() {
        runner.withPropertyValues("delay.store.mysql.batch-size=100",
                "delay.store.mysql.transaction-timeout=5s").run(context -> {
                    MysqlStoreProperties p = context.getBean(MysqlStoreProperties.class);
                    assertThat(p.batchSize()).isEqualTo(100);
                    assertThat(p.transactionTimeout()).hasSeconds(5);
                });
    }

    @Test
    void anH2FileUrlWithoutWriteDelayZeroIsMadeSynchronous(@TempDir Path dir) {
        String url = TestStoreApp.h2FileUrl(dir.resolve("db")).replace(";WRITE_DELAY=0", "");
        runner.withPropertyValues("spring.datasource.url=" + url).run(context -> {
            assertThat(context).hasSingleBean(MessageStore.class);
            try (Connection c = context.getBean(DataSource.class).getConnection();
                 Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery(
                         "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'WRITE_DELAY'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("0");
            }
        });
    }

    /** A stand-in of the application's own implementation; never called here. */
    private static <T> T unsupported(Class<T> type) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return switch (method.getName()) {
                    case "equals" -> proxy == args[0];
                    case "hashCode" -> System.identityHashCode(proxy);
                    default -> "user " + type.getSimpleName();
                };
            }
            throw new UnsupportedOperationException(method.getName());
        }));
    }

    @Configuration(proxyBeanMethods = false)
    static class UserMessageStore {
        @Bean
        MessageStore userMessageStore() {
            return unsupported(MessageStore.class);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class UserAppStore {
        @Bean
        AppStore userAppStore() {
            return unsupported(AppStore.class);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class UserAdminStore {
        @Bean
        AdminStore userAdminStore() {
            return unsupported(AdminStore.class);
        }
    }
}
