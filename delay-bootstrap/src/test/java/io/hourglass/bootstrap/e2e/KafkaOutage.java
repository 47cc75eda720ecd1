package io.hourglass.bootstrap.e2e;

import io.hourglass.message.kafka.embedded.EmbeddedKafkaServer;
import io.hourglass.message.kafka.KafkaMessageProperties;
import org.springframework.util.unit.DataSize;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Kafka outage under the packaged server: a broker in the test's JVM that the test closes and starts again on the
 * same ports and log dir, and a server on it whose producer notices the outage within seconds and retries quickly.
 */
final class KafkaOutage {

    private KafkaOutage() {
    }

    /** A broker on {@code port} with its log dir under {@code dir}; start it again with the same arguments. */
    static EmbeddedKafkaServer startBroker(Path dir, int port, int controllerPort) {
        return EmbeddedKafkaServer.start(new KafkaMessageProperties(true, port, controllerPort,
                dir.resolve("kafka").toString(), 2, Duration.ofSeconds(60), Map.of(), Duration.ofSeconds(2),
                Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofMillis(5), DataSize.ofKilobytes(256), "lz4",
                Duration.ofSeconds(10)));
    }

    /** A server (not started) on that broker: sends give up within 3 s, retries back off 0.5 to 2 s. */
    static ServerProcess server(Path dir, int kafkaPort, String... more) throws IOException {
        List<String> args = new ArrayList<>(List.of(
                "--delay.message.kafka.embedded=false",
                "--spring.kafka.bootstrap-servers=127.0.0.1:" + kafkaPort,
                "--delay.message.kafka.max-block=500ms",
                "--delay.message.kafka.request-timeout=1s",
                "--delay.message.kafka.delivery-timeout=3s",
                "--delay.core.retry-initial-backoff=500ms",
                "--delay.core.retry-max-backoff=2s"));
        args.addAll(List.of(more));
        return new ServerProcess(dir.resolve("server"), ServerProcess.freePort(), args);
    }
}
