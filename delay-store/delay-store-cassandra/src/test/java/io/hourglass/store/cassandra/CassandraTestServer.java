package io.hourglass.store.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import io.hourglass.testsupport.TestService;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.cassandra.CassandraAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The real Cassandra that {@code scripts/lib/services.sh start_cassandra} runs: where it is ({@value #CONTACT_ENV},
 * {@code host:port}), a keyspace of one's own on it ({@code hourglass_tck_<random>}, replication factor 1, dropped
 * afterwards) and the production wiring on that keyspace. The server process (a restart, a kill) is
 * {@link TestService#CASSANDRA}.
 */
final class CassandraTestServer {

    static final String CONTACT_ENV = "HOURGLASS_CASSANDRA_CONTACT"; // TestService.CASSANDRA
    static final String DATACENTER = "datacenter1";

    final String contact;
    final String keyspace;

    private CassandraTestServer(String contact, String keyspace) {
        this.contact = contact;
        this.keyspace = keyspace;
    }

    /** The server of {@value #CONTACT_ENV} and a fresh keyspace name (created by the store at start). */
    static CassandraTestServer fromEnvironment() {
        return new CassandraTestServer(TestService.CASSANDRA.address(),
                "hourglass_tck_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12));
    }

    /** Properties of the production wiring on this server and keyspace. */
    List<String> properties(String... more) {
        List<String> props = new ArrayList<>(List.of(
                "spring.cassandra.contact-points=" + contact,
                "spring.cassandra.local-datacenter=" + DATACENTER,
                "spring.cassandra.connection.connect-timeout=5s",
                "spring.cassandra.connection.init-query-timeout=10s",
                "delay.store.type=cassandra",
                "delay.store.cassandra.keyspace=" + keyspace,
                "delay.store.cassandra.replication-factor=1"));
        props.addAll(List.of(more));
        return props;
    }

    /** Boot's CqlSession and the store's auto-configuration, as the server wires them. */
    ConfigurableApplicationContext startStore(String... more) {
        return new SpringApplicationBuilder(App.class)
                .web(WebApplicationType.NONE)
                .logStartupInfo(false)
                .properties(properties(more).toArray(String[]::new))
                .run();
    }

    /** Drops the test's keyspace (with a session of its own: the store's may be closed already). */
    void dropKeyspace() {
        try (CqlSession session = openSession()) {
            session.execute(SimpleStatement.newInstance("DROP KEYSPACE IF EXISTS " + keyspace)
                    .setTimeout(Duration.ofSeconds(60)));
        }
    }

    /** A session of its own on the server (no keyspace): for setting a keyspace up by hand. */
    CqlSession openSession() {
        String[] hostPort = contact.split(":");
        return CqlSession.builder()
                .addContactPoint(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])))
                .withLocalDatacenter(DATACENTER).build();
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({CassandraAutoConfiguration.class, CassandraStoreAutoConfiguration.class})
    static class App {
    }
}
