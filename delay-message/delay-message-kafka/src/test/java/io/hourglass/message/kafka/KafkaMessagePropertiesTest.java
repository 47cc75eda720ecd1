package io.hourglass.message.kafka;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.util.unit.DataSize;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KafkaMessagePropertiesTest {

    @Test
    @Timeout(10)
    void defaultsAreStandaloneOnTheUsualPorts() {
        KafkaMessageProperties properties = TestSupport.properties(Map.of());

        assertThat(properties.embedded()).isTrue();
        assertThat(properties.embeddedPort()).isEqualTo(9092);
        assertThat(properties.embeddedControllerPort()).isEqualTo(9093);
        assertThat(properties.embeddedDataPath()).isEqualTo(Path.of("data/kafka").toAbsolutePath());
        assertThat(properties.embeddedPartitions()).isEqualTo(4);
        assertThat(properties.embeddedBrokerProperties()).isEmpty();
        assertThat(properties.maxBlock()).isEqualTo(Duration.ofSeconds(2));
        assertThat(properties.deliveryTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(properties.linger()).isEqualTo(Duration.ofMillis(5));
        assertThat(properties.batchSize()).isEqualTo(DataSize.ofKilobytes(256));
        assertThat(properties.compression()).isEqualTo("gzip");
    }

    @Test
    @Timeout(10)
    void dottedBrokerPropertyKeysAreKeptWhole() {
        KafkaMessageProperties properties = TestSupport.properties(Map.of(
                "embedded-broker-properties.log.flush.interval.messages", "1",
                "embedded-broker-properties[log.retention.hours]", "24"));

        assertThat(properties.embeddedBrokerProperties())
                .containsEntry("log.flush.interval.messages", "1")
                .containsEntry("log.retention.hours", "24");
    }

    @Test
    @Timeout(10)
    void samePortForClientAndControllerIsRejectedNamingBothKeys() {
        assertThatThrownBy(() -> TestSupport.properties(Map.of("embedded-controller-port", "9092")))
                .isInstanceOf(BindException.class)
                .rootCause().hasMessageContaining("delay.message.kafka.embedded-port")
                .hasMessageContaining("delay.message.kafka.embedded-controller-port");
    }
}
