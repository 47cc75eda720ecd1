package io.hourglass.message.kafka.embedded;

import io.hourglass.message.kafka.TestSupport;

import java.util.Map;

/**
 * Runs an {@link EmbeddedKafkaServer} in its own JVM so a test can SIGKILL it. Arguments: port, controller port,
 * data dir. Prints {@code READY <cluster id>} once the broker serves clients, then waits to be killed.
 */
public final class EmbeddedKafkaMain {

    private EmbeddedKafkaMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        EmbeddedKafkaServer server = EmbeddedKafkaServer.start(TestSupport.properties(Map.of(
                "embedded-port", args[0],
                "embedded-controller-port", args[1],
                "embedded-data-dir", args[2])));
        System.out.println("READY " + server.clusterId());
        System.out.flush();
        Thread.currentThread().join(); // until killed
    }
}
