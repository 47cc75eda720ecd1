package io.hourglass.bootstrap.config;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.convert.DurationUnit;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;
import java.time.temporal.ChronoUnit;

/**
 * Coordination of servers ({@code delay.protocol.*}).
 *
 * @param type           {@code standalone} (one server owns every slot), {@code etcd} or {@code zookeeper}
 * @param slotCount      number of slots (1..1024); messages are tagged with one and only its owner fires them
 * @param nodeId         this server's id among its peers; empty means host:port
 * @param ttl            lease / session time-to-live of a server's registration; a bare number is seconds (as the
 *                       original delay-server read it)
 * @param rebalanceDelay quiet time after a membership change before slots are reassigned
 * @param advertisedAddress base URL the other servers of a cluster reach this one's internal endpoint at; empty means
 *                       {@code http://<this host's address>:<internal-port>} ({@code :<server.port>} without an
 *                       internal port). A configured one must use {@code internal-port}
 * @param internalToken  shared secret of a cluster's servers: it authenticates the calls that route get, cancel and
 *                       reschedule to a message's owner. Required with etcd or zookeeper, at least
 *                       {@value #MIN_INTERNAL_TOKEN_BYTES} bytes (UTF-8) whenever set; unused standalone
 * @param internalPort   the port of the internal endpoint {@code /internal/v1/**} (a second HTTP connector on
 *                       {@code server.address}); empty for none. {@code 9091} by default in cluster mode
 *                       ({@link ModeDefaults}). The internal endpoint answers on this port only, and this port answers
 *                       nothing else but health ({@link InternalPortFilter}); the default advertised address carries it
 * (Coordinator-specific settings such as {@code endpoints}, {@code username}, {@code password} and {@code namespace}
 * are bound by the coordinator module.)
 */
@Validated
@ConfigurationProperties("delay.protocol")
public record ProtocolProperties(
        @NotNull @DefaultValue("standalone") Type type,
        @DefaultValue("64") @Min(1) @Max(1024) int slotCount,
        @DefaultValue("") String nodeId,
        @NotNull @DefaultValue("9s") @DurationMin(seconds = 1) @DurationUnit(ChronoUnit.SECONDS) Duration ttl,
        @NotNull @DefaultValue("1000ms") @DurationMin(millis = 0) Duration rebalanceDelay,
        @DefaultValue("") String advertisedAddress,
        @DefaultValue("") String internalToken,
        @Min(1) @Max(65535) Integer internalPort) {

    /** The shortest accepted {@code internal-token}: 256 bits, as a random token of 32 bytes. */
    public static final int MIN_INTERNAL_TOKEN_BYTES = 32;

    /** The coordinator implementations. */
    public enum Type { STANDALONE, ETCD, ZOOKEEPER }
}
