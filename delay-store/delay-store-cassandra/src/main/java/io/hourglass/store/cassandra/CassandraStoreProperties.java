package io.hourglass.store.cassandra;

import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * Settings of the Cassandra store, under {@code delay.store.cassandra} (selected by {@code delay.store.type=cassandra}).
 * The connection itself is Spring Boot's {@code spring.cassandra.*} (contact points, local datacenter, credentials);
 * leave {@code spring.cassandra.keyspace-name} unset: the store names its keyspace in every statement and creates it.
 *
 * @param keyspace          Keyspace of the store's tables; created at start when {@code create-schema} is true.
 * @param createSchema      Create the keyspace and tables at start ({@code IF NOT EXISTS}). When false they must exist.
 * @param replicationFactor Replicas in the local datacenter when the store creates the keyspace
 *                          (NetworkTopologyStrategy). 3 in production: LOCAL_QUORUM then survives one replica down.
 *                          An existing keyspace is never altered.
 * @param bucketSize        Width of one partition of the due index: (slot, fireAt / bucketSize). Fixed for the life of
 *                          a keyspace: the first start records it, and a later start with another value fails.
 * @param staleAfter        How long a write may stay unfinished: an index entry or idempotency key older than this whose
 *                          message row is missing belongs to an insert that failed and is cleaned up; a due bucket
 *                          that ended this long ago may be closed when it is empty. Must exceed the longest insert
 *                          (request timeout and retries) plus the clock skew between servers.
 * @param consistency       Consistency of reads and plain writes. LOCAL_QUORUM: a read sees every acknowledged write
 *                          of the local datacenter, with one replica of three down.
 * @param serialConsistency Consistency of the Paxos phase of lightweight transactions: LOCAL_SERIAL or SERIAL.
 * @param requestTimeout    Timeout of one statement; a call that times out fails with StoreUnavailableException.
 * @param concurrency       Most statements one store call keeps in flight (claims and transitions of many ids, the
 *                          rows of an insert, the checks of a scan).
 */
@Validated
@ConfigurationProperties("delay.store.cassandra")
public record CassandraStoreProperties(
        @DefaultValue("hourglass") @NotNull @Pattern(regexp = "[a-zA-Z][a-zA-Z0-9_]{0,47}") String keyspace,
        @DefaultValue("true") boolean createSchema,
        @DefaultValue("3") @Min(1) @Max(20) int replicationFactor,
        @DefaultValue("1m") @NotNull Duration bucketSize,
        @DefaultValue("10m") @NotNull Duration staleAfter,
        @DefaultValue("LOCAL_QUORUM") @NotNull DefaultConsistencyLevel consistency,
        @DefaultValue("LOCAL_SERIAL") @NotNull DefaultConsistencyLevel serialConsistency,
        @DefaultValue("10s") @NotNull Duration requestTimeout,
        @DefaultValue("64") @Min(1) @Max(1024) int concurrency) {

    private static final String PREFIX = "delay.store.cassandra.";

    public CassandraStoreProperties {
        if (bucketSize != null && (bucketSize.compareTo(Duration.ofSeconds(1)) < 0
                || bucketSize.compareTo(Duration.ofDays(1)) > 0 || bucketSize.toMillisPart() != 0)) {
            throw new IllegalArgumentException(PREFIX + "bucket-size must be whole seconds from 1s to 1d, was "
                    + bucketSize);
        }
        if (staleAfter != null && staleAfter.compareTo(Duration.ofMinutes(1)) < 0) {
            throw new IllegalArgumentException(PREFIX + "stale-after must be at least 1m, was " + staleAfter);
        }
        if (requestTimeout != null && (requestTimeout.compareTo(Duration.ofMillis(100)) < 0
                || (staleAfter != null && requestTimeout.multipliedBy(4).compareTo(staleAfter) > 0))) {
            throw new IllegalArgumentException(PREFIX + "request-timeout must be at least 100ms and at most a quarter"
                    + " of stale-after, was " + requestTimeout);
        }
        if (consistency != null && consistency.isSerial()) {
            throw new IllegalArgumentException(PREFIX + "consistency must not be a serial level, was " + consistency);
        }
        if (serialConsistency != null && !serialConsistency.isSerial()) {
            throw new IllegalArgumentException(PREFIX + "serial-consistency must be LOCAL_SERIAL or SERIAL, was "
                    + serialConsistency);
        }
    }

    /** The defaults, for use outside Spring (tests, tools). */
    public static CassandraStoreProperties defaults() {
        return new CassandraStoreProperties("hourglass", true, 3, Duration.ofMinutes(1), Duration.ofMinutes(10),
                DefaultConsistencyLevel.LOCAL_QUORUM, DefaultConsistencyLevel.LOCAL_SERIAL, Duration.ofSeconds(10), 64);
    }

    /** A copy with another keyspace and replication factor (tests). */
    public CassandraStoreProperties withKeyspace(String newKeyspace, int newReplicationFactor) {
        return new CassandraStoreProperties(newKeyspace, createSchema, newReplicationFactor, bucketSize, staleAfter,
                consistency, serialConsistency, requestTimeout, concurrency);
    }
}
