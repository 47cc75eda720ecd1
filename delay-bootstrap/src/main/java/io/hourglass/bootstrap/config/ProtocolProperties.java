package io.hourglass.bootstrap.config;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * Coordination of servers ({@code delay.protocol.*}).
 *
 * @param type           {@code standalone} (one server owns every slot), {@code etcd} or {@code zookeeper}
 * @param slotCount      number of slots (1..1024); messages are tagged with one and only its owner fires them
 * @param nodeId         this server's id among its peers; empty means host:port
 * @param ttl            lease / session time-to-live of a server's registration
 * @param rebalanceDelay quiet time after a membership change before slots are reassigned
 * @param advertisedAddress base URL the other servers of a cluster reach this one at; empty means
 *                       {@code http://<this host's address>:<server.port>}
 * @param internalToken  shared secret of a cluster's servers: it authenticates the calls that route get, cancel and
 *                       reschedule to a message's owner. Required with etcd or zookeeper; unused standalone
 * (Coordinator-specific settings such as {@code endpoints}, {@code username}, {@code password} and {@code namespace}
 * are bound by the coordinator module.)
 */
@Validated
@ConfigurationProperties("delay.protocol")
public record ProtocolProperties(
        @NotNull @DefaultValue("standalone") Type type,
        @DefaultValue("64") @Min(1) @Max(1024) int slotCount,
        @DefaultValue("") String nodeId,
        @NotNull @DefaultValue("9s") @DurationMin(seconds = 1) Duration ttl,
        @NotNull @DefaultValue("1000ms") @DurationMin(millis = 0) Duration rebalanceDelay,
        @DefaultValue("") String advertisedAddress,
        @DefaultValue("") String internalToken) {

    /** The coordinator implementations. */
    public enum Type { STANDALONE, ETCD, ZOOKEEPER }
}
