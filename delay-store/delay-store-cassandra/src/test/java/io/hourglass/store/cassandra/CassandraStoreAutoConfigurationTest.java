package io.hourglass.store.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.model.MessageIds;
import io.hourglass.core.spi.AdminStore;
import io.hourglass.core.spi.AppStore;
import io.hourglass.core.spi.MessageStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.actuate.autoconfigure.cassandra.CassandraHealthContributorAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.health.HealthContributorAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.health.HealthEndpointAutoConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.autoconfigure.cassandra.CassandraAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which beans the store's auto-configuration makes, and when it backs off. Tests that need a session use the real
 * server of {@value CassandraTestServer#CONTACT_ENV} (a keyspace of their own, dropped); the others point Boot's session
 * at a port where nothing listens and check that it is never made.
 */
@Timeout(120)
class CassandraStoreAutoConfigurationTest {

    /** A contact point where nothing listens: a session made on it fails the start. */
    private static final String NOWHERE = "127.0.0.1:1";

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(CassandraAutoConfiguration.class,
                    CassandraStoreAutoConfiguration.class))
            .withPropertyValues("spring.cassandra.contact-points=" + NOWHERE,
                    "spring.cassandra.local-datacenter=datacenter1",
                    "spring.cassandra.connection.connect-timeout=1s");

    @Test
    void typeCassandraCreatesBothStoresOnTheKeyspaceItCreates() {
        CassandraTestServer server = CassandraTestServer.fromEnvironment();
        try {
            runner.withPropertyValues(server.properties().toArray(String[]::new)).run(context -> {
                assertThat(context).hasNotFailed().hasSingleBean(MessageStore.class).hasSingleBean(AppStore.class)
                        .hasSingleBean(AdminStore.class);
                assertThat(context.getBean(MessageStore.class)).isInstanceOf(CassandraMessageStore.class);
                assertThat(context.getBean(AppStore.class)).isInstanceOf(CassandraAppStore.class);
                assertThat(context.getBean(AdminStore.class)).isInstanceOf(CassandraAdminStore.class);
                MessageStore store = context.getBean(MessageStore.class);
                long now = 1_800_000_000_000L;
                DelayMessage m = DelayMessage.scheduled(new MessageIds().next(3, now), "app", "t", null, "p", null,
                        now + 1, null, now, null);
                store.insert(List.of(m));
                assertThat(store.get(m.id())).contains(m);
                CqlSession session = context.getBean(CqlSession.class);
                assertThat(session.getMetadata().getKeyspace(server.keyspace)).hasValueSatisfying(ks -> {
                    assertThat(ks.getReplication()).containsEntry("datacenter1", "1");
                    assertThat(ks.getTables().keySet()).extracting(Object::toString).contains("message",
                            "message_due", "message_due_bucket", "message_by_state", "message_idem", "app",
                            "app_topic", "store_meta", "setting");
                });
            });
        } finally {
            server.dropKeyspace();
        }
    }

    @Test
    void aKeyspaceMadeWithAnotherBucketSizeRefusesToStartAndNamesTheKey() {
        CassandraTestServer server = CassandraTestServer.fromEnvironment();
        try {
            String[] props = server.properties().toArray(String[]::new);
            runner.withPropertyValues(props).run(context -> assertThat(context).hasNotFailed()
                    .hasSingleBean(MessageStore.class));
            runner.withPropertyValues(props).withPropertyValues("delay.store.cassandra.bucket-size=30s")
                    .run(context -> {
                        assertThat(context).hasFailed();
                        assertThat(context.getStartupFailure()).rootCause()
                                .hasMessageContaining("delay.store.cassandra.bucket-size")
                                .hasMessageContaining("60000 ms");
                    });
        } finally {
            server.dropKeyspace();
        }
    }

    @Test
    void withoutTheTypeNothingIsMadeAndBootsSessionIsNeverOpened() {
        for (String type : new String[] {null, "mysql"}) {
            ApplicationContextRunner r = type == null ? runner : runner.withPropertyValues("delay.store.type=" + type);
            r.run(context -> {
                assertThat(context).hasNotFailed()
                        .doesNotHaveBean(MessageStore.class)
                        .doesNotHaveBean(AppStore.class)
                        .doesNotHaveBean(CassandraStoreProperties.class);
                assertThat(context.getBeanFactory().containsSingleton("cassandraSession"))
                        .as("Boot's lazy session was made").isFalse();
            });
        }
    }

    /**
     * The server has the actuator: with another store, its Cassandra health indicator would make Boot's lazy session
     * (it asks for every CqlSession bean) and fail the start when no Cassandra is there. {@link CassandraHealthDefault}
     * (an EnvironmentPostProcessor, so a real SpringApplication here) turns it off unless the Cassandra store is
     * selected; with the Cassandra store it stays on.
     */
    @Test
    void withAnotherStoreTheActuatorsHealthIndicatorDoesNotOpenBootsSession() {
        try (ConfigurableApplicationContext context = withActuator("delay.store.type=mysql",
                "spring.cassandra.contact-points=" + NOWHERE)) {
            assertThat(context.getBeanFactory().containsSingleton("cassandraSession")).isFalse();
            assertThat(context.containsBean("cassandraHealthContributor")).isFalse();
            assertThat(context.getEnvironment().getProperty(CassandraHealthDefault.HEALTH_KEY)).isEqualTo("false");
        }
        try (ConfigurableApplicationContext context = withActuator("delay.store.type=mysql",
                "spring.cassandra.contact-points=" + NOWHERE, CassandraHealthDefault.HEALTH_KEY + "=true")) {
            throw new AssertionError("an explicit " + CassandraHealthDefault.HEALTH_KEY + "=true must win");
        } catch (RuntimeException expected) {
            assertThat(expected).rootCause().isInstanceOf(com.datastax.oss.driver.api.core.AllNodesFailedException.class);
        }
        CassandraTestServer server = CassandraTestServer.fromEnvironment();
        try (ConfigurableApplicationContext context = withActuator(server.properties().toArray(String[]::new))) {
            assertThat(context.containsBean("cassandraHealthContributor")).isTrue();
            assertThat(context.getBean(MessageStore.class)).isInstanceOf(CassandraMessageStore.class);
        } finally {
            server.dropKeyspace();
        }
    }

    private static ConfigurableApplicationContext withActuator(String... properties) {
        return new SpringApplicationBuilder(WithActuator.class).web(WebApplicationType.NONE).logStartupInfo(false)
                .properties("spring.cassandra.local-datacenter=datacenter1",
                        "spring.cassandra.connection.connect-timeout=1s")
                .properties(properties)
                .run();
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({CassandraAutoConfiguration.class, CassandraStoreAutoConfiguration.class,
            HealthContributorAutoConfiguration.class, HealthEndpointAutoConfiguration.class,
            CassandraHealthContributorAutoConfiguration.class})
    static class WithActuator {
    }

    @Test
    void withoutTheDriverOnTheClassPathItBacksOff() {
        runner.withClassLoader(new FilteredClassLoader(CqlSession.class))
                .withPropertyValues("delay.store.type=cassandra")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(MessageStore.class)
                        .doesNotHaveBean(AppStore.class)
                        .doesNotHaveBean(AdminStore.class));
    }

    @Test
    void storesOfTheApplicationWinAndNoSessionIsOpened() {
        runner.withPropertyValues("delay.store.type=cassandra")
                .withUserConfiguration(UserMessageStore.class, UserAppStore.class, UserAdminStore.class).run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(MessageStore.class)).isSameAs(context.getBean("userMessageStore"));
                    assertThat(context.getBean(AppStore.class)).isSameAs(context.getBean("userAppStore"));
                    assertThat(context.getBean(AdminStore.class)).isSameAs(context.getBean("userAdminStore"));
                    assertThat(context.getBeanFactory().containsSingleton("cassandraSession")).isFalse();
                });
    }

    @Test
    void aMessageStoreOfTheApplicationWinsAndTheAppStoreIsStillMade() {
        CassandraTestServer server = CassandraTestServer.fromEnvironment();
        try {
            runner.withPropertyValues(server.properties().toArray(String[]::new))
                    .withUserConfiguration(UserMessageStore.class).run(context -> {
                        assertThat(context).hasNotFailed().hasSingleBean(MessageStore.class);
                        assertThat(context.getBean(MessageStore.class)).isSameAs(context.getBean("userMessageStore"));
                        assertThat(context.getBean(AppStore.class)).isInstanceOf(CassandraAppStore.class);
                        assertThat(context.getBean(AdminStore.class)).isInstanceOf(CassandraAdminStore.class);
                    });
        } finally {
            server.dropKeyspace();
        }
    }

    @Test
    void aBadSettingStopsTheStartAndNamesTheKey() {
        ApplicationContextRunner cassandra = runner.withPropertyValues("delay.store.type=cassandra");
        for (String[] bad : new String[][] {
                {"delay.store.cassandra.bucket-size=500ms", "delay.store.cassandra.bucket-size"},
                {"delay.store.cassandra.stale-after=10s", "delay.store.cassandra.stale-after"},
                {"delay.store.cassandra.request-timeout=5m", "delay.store.cassandra.request-timeout"},
                {"delay.store.cassandra.serial-consistency=LOCAL_QUORUM", "delay.store.cassandra.serial-consistency"},
                {"delay.store.cassandra.consistency=SERIAL", "delay.store.cassandra.consistency"}}) {
            cassandra.withPropertyValues(bad[0]).run(context -> {
                assertThat(context).as(bad[0]).hasFailed();
                assertThat(context.getStartupFailure()).as(bad[0]).rootCause().hasMessageContaining(bad[1]);
            });
        }
        for (String[] bad : new String[][] {
                {"delay.store.cassandra.replication-factor=0", "replicationFactor"},
                {"delay.store.cassandra.concurrency=0", "concurrency"},
                {"delay.store.cassandra.keyspace=no-dashes", "keyspace"}}) {
            cassandra.withPropertyValues(bad[0]).run(context -> {
                assertThat(context).as(bad[0]).hasFailed();
                assertThat(context.getStartupFailure()).as(bad[0]).hasMessageContaining("delay.store.cassandra");
                assertThat(context.getStartupFailure()).as(bad[0]).rootCause().hasMessageContaining(bad[1]);
            });
        }
    }

    @Test
    void settingsAreBound() {
        runner.withPropertyValues("delay.store.type=cassandra", "delay.store.cassandra.keyspace=hg_bound",
                        "delay.store.cassandra.replication-factor=5", "delay.store.cassandra.bucket-size=5m",
                        "delay.store.cassandra.stale-after=30m", "delay.store.cassandra.consistency=quorum",
                        "delay.store.cassandra.serial-consistency=serial",
                        "delay.store.cassandra.request-timeout=3s", "delay.store.cassandra.concurrency=16")
                .withUserConfiguration(UserMessageStore.class, UserAppStore.class, UserAdminStore.class).run(context -> {
                    CassandraStoreProperties p = context.getBean(CassandraStoreProperties.class);
                    assertThat(p.keyspace()).isEqualTo("hg_bound");
                    assertThat(p.replicationFactor()).isEqualTo(5);
                    assertThat(p.bucketSize()).isEqualTo(Duration.ofMinutes(5));
                    assertThat(p.staleAfter()).isEqualTo(Duration.ofMinutes(30));
                    assertThat(p.consistency()).isEqualTo(DefaultConsistencyLevel.QUORUM);
                    assertThat(p.serialConsistency()).isEqualTo(DefaultConsistencyLevel.SERIAL);
                    assertThat(p.requestTimeout()).isEqualTo(Duration.ofSeconds(3));
                    assertThat(p.concurrency()).isEqualTo(16);
                    assertThat(p.createSchema()).isTrue();
                });
        runner.withPropertyValues("delay.store.type=cassandra")
                .withUserConfiguration(UserMessageStore.class, UserAppStore.class, UserAdminStore.class).run(context ->
                        assertThat(context.getBean(CassandraStoreProperties.class))
                                .isEqualTo(CassandraStoreProperties.defaults()));
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
