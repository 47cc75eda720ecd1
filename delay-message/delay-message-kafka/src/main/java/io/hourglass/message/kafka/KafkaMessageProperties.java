package io.hourglass.message.kafka;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Settings of the Kafka emitter ({@code delay.message.type=kafka}, the default) and of the embedded broker of
 * standalone mode.
 *
 * <p>The connection itself (bootstrap servers, security, client id, extra producer properties) comes from Spring
 * Boot's {@code spring.kafka.*}. The producer settings below override Boot's, because the delivery guarantees depend
 * on them: {@code acks=all} and {@code enable.idempotence=true} are always set and cannot be turned off.
 *
 * @param embedded                 start an embedded single-node KRaft broker inside the server (standalone mode)
 *                                 and point {@code spring.kafka.bootstrap-servers} at it unless that is set; turn
 *                                 it off to use an external cluster
 * @param embeddedPort             port of the embedded broker's client listener, bound on 127.0.0.1 only
 * @param embeddedControllerPort   port of the embedded broker's KRaft controller listener, bound on 127.0.0.1 only
 * @param embeddedDataDir          log and metadata directory of the embedded broker; formatted on first start (a
 *                                 new cluster id is written to {@code meta.properties}) and reused afterwards, so
 *                                 records and the cluster id survive restarts
 * @param embeddedPartitions       partition count of topics the embedded broker creates on first use
 *                                 ({@code num.partitions})
 * @param embeddedStartTimeout     how long the embedded broker may take to start (format, log recovery, waiting
 *                                 for the previous session of a killed process to expire) before the server fails
 * @param embeddedBrokerProperties extra broker properties ({@code server.properties} keys, such as
 *                                 {@code log.retention.hours}); they win over the ones Hourglass sets
 * @param maxBlock                 longest time one send may block the firing thread waiting for metadata or
 *                                 buffer space ({@code max.block.ms}); keep it small so that a dead broker fails a
 *                                 batch quickly instead of stalling the firing threads
 * @param deliveryTimeout          upper bound from send to acknowledgement, retries included
 *                                 ({@code delivery.timeout.ms}); a send not acknowledged by then fails and the
 *                                 engine retries the message with backoff. Must be at least {@code linger} +
 *                                 {@code requestTimeout}
 * @param requestTimeout           how long the producer waits for the response to one produce request before it
 *                                 retries ({@code request.timeout.ms})
 * @param linger                   how long the producer waits to fill a batch ({@code linger.ms}); a few ms trade
 *                                 that much latency for far fewer, larger requests
 * @param batchSize                upper size of one per-partition batch ({@code batch.size})
 * @param compression              {@code compression.type}: {@code none}, {@code gzip}, {@code snappy},
 *                                 {@code lz4} or {@code zstd}. {@code gzip} by default because every mainstream
 *                                 client decodes it without a plugin (kafkajs decodes no other codec by itself;
 *                                 kafka-python needs extra packages for the others); {@code lz4} costs 3-4 µs
 *                                 less CPU per record but crashes such consumers. {@code lz4} falls back to
 *                                 {@code none} when the lz4 library is absent
 * @param closeTimeout             how long closing the emitter waits for records in flight at shutdown
 */
@ConfigurationProperties(KafkaMessageProperties.PREFIX)
@Validated
public record KafkaMessageProperties(
        @DefaultValue("true") boolean embedded,
        @DefaultValue("9092") @Min(1) @Max(65535) int embeddedPort,
        @DefaultValue("9093") @Min(1) @Max(65535) int embeddedControllerPort,
        @DefaultValue("./data/kafka") @NotBlank String embeddedDataDir,
        @DefaultValue("4") @Min(1) @Max(10_000) int embeddedPartitions,
        @DefaultValue("60s") @NotNull @DurationMin(seconds = 1) Duration embeddedStartTimeout,
        Map<String, String> embeddedBrokerProperties,
        @DefaultValue("2s") @NotNull @DurationMin(millis = 1) Duration maxBlock,
        @DefaultValue("30s") @NotNull @DurationMin(millis = 1) Duration deliveryTimeout,
        @DefaultValue("10s") @NotNull @DurationMin(millis = 1) Duration requestTimeout,
        @DefaultValue("5ms") @NotNull @DurationMin(millis = 0) Duration linger,
        @DefaultValue("256KB") @NotNull DataSize batchSize,
        @DefaultValue("gzip") @NotNull @Pattern(regexp = "none|gzip|snappy|lz4|zstd") String compression,
        @DefaultValue("10s") @NotNull @DurationMin(millis = 0) Duration closeTimeout) {

    public static final String PREFIX = "delay.message.kafka";

    public KafkaMessageProperties {
        embeddedBrokerProperties = embeddedBrokerProperties == null ? Map.of() : Map.copyOf(embeddedBrokerProperties);
        // Cross-field rules that annotations cannot say; the message names the keys.
        if (deliveryTimeout != null && linger != null && requestTimeout != null
                && deliveryTimeout.compareTo(linger.plus(requestTimeout)) < 0) {
            throw new IllegalArgumentException(PREFIX + ".delivery-timeout (" + deliveryTimeout + ") must be at least "
                    + PREFIX + ".linger + " + PREFIX + ".request-timeout (" + linger.plus(requestTimeout) + ")");
        }
        if (batchSize != null && (batchSize.toBytes() < 1 || batchSize.toBytes() > Integer.MAX_VALUE)) {
            throw new IllegalArgumentException(PREFIX + ".batch-size must be between 1B and 2GB: " + batchSize);
        }
        if (embedded && embeddedPort == embeddedControllerPort) {
            throw new IllegalArgumentException(PREFIX + ".embedded-port and " + PREFIX
                    + ".embedded-controller-port must differ: both are " + embeddedPort);
        }
    }

    /** {@link #embeddedDataDir()} as an absolute, normalized path. */
    public Path embeddedDataPath() {
        return Path.of(embeddedDataDir).toAbsolutePath().normalize();
    }
}
