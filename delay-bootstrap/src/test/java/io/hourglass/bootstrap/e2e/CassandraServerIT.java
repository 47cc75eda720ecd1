package io.hourglass.bootstrap.e2e;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;

import io.hourglass.testsupport.TestService;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * The server with {@code --spring.profiles.active=cassandra} on the real Cassandra of {@code scripts/lib/services.sh}
 * (a keyspace of its own, created by the server at start) and the real Kafka broker process.
 */
class CassandraServerIT extends ExternalStoreServerContract {

    private final String keyspace = "hg_e2e_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);

    @Override
    String profile() {
        return "cassandra";
    }

    private static String contact() {
        return TestService.CASSANDRA.address();
    }

    @Override
    List<String> storeArgs() {
        return List.of(
                "--spring.cassandra.contact-points=" + contact(),
                "--delay.store.cassandra.keyspace=" + keyspace,
                "--delay.store.cassandra.replication-factor=1");
    }

    @Override
    void dropStore() {
        String[] hostPort = contact().split(":");
        try (CqlSession session = CqlSession.builder()
                .addContactPoint(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])))
                .withLocalDatacenter("datacenter1")
                .withConfigLoader(DriverConfigLoader.programmaticBuilder()
                        .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(60)).build())
                .build()) {
            session.execute("DROP KEYSPACE IF EXISTS " + keyspace);
        }
    }
}
