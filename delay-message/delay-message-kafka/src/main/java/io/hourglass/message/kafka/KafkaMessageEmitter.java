package io.hourglass.message.kafka;

import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.spi.MessageEmitter;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.kafka.support.ProducerListener;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Emits fired messages as Kafka records through a Spring Kafka {@link KafkaTemplate}.
 *
 * <p>Record layout: topic = message topic; key = message key (UTF-8, may be {@code null}); value = payload as
 * UTF-8; timestamp = the {@code now} passed to {@link #emit} (the engine's clock, so a consumer can check that
 * {@code timestamp >= x-delay-deliver-at}); headers {@value DelayHeaders#ID}, {@value DelayHeaders#DELIVER_AT},
 * {@value DelayHeaders#APP_KEY}, then the message's own headers (UTF-8; a user header with one of those three names
 * is left out, ours win).
 *
 * <p>Sends are asynchronous; a future completes when the broker acknowledged the record with the producer's
 * {@code acks=all}. Nothing is flushed per message: {@code linger.ms} batches. A send fails <em>synchronously</em>
 * only when the producer cannot even queue the record within {@code max.block.ms}; then this emitter fails the rest
 * of the batch without trying (fail fast) when the cause is not specific to one record:
 * <ul>
 *   <li>per-record causes (record too large, invalid topic name, ...): only that message fails;</li>
 *   <li>metadata not available in time: the other messages of that <em>topic</em> fail at once; a second topic
 *       timing out in the same batch means the cluster is unreachable, and the whole rest fails. So one deleted
 *       topic does not fail every healthy message of the batch, and a dead cluster costs at most two
 *       {@code max.block.ms} per batch;</li>
 *   <li>anything else (buffer full, producer closed or broken, authentication, interrupt): the rest fails.</li>
 * </ul>
 *
 * <p>Every future completes, also when the producer does not: an idempotent producer that lost its broker waits for a
 * new producer id and, while it waits, does not expire queued records at {@code delivery.timeout.ms} (the Kafka
 * client's sender loop never reaches its expiry step). So each batch of futures is guarded: what is still pending
 * {@code delivery.timeout.ms} + 1 s after the send fails as an outage ({@link MessageEmitter.TargetUnavailableException},
 * no attempt spent), and the emitter counts as <em>stalled</em>: further sends fail at once the same way, without
 * queueing another copy in the producer, until the producer completes any record (it is alive again) or one guard
 * period passed (then one batch goes through as a probe). The records queued before the stall are still sent when
 * the broker returns: a message may then arrive twice, which at-least-once delivery allows.
 *
 * <p>Threading: thread-safe, one shared producer. The futures complete on the producer's I/O thread: callers must
 * not block in dependent stages (use the {@code *Async} variants with their own executor).
 */
public final class KafkaMessageEmitter implements MessageEmitter, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KafkaMessageEmitter.class);

    /**
     * Topics that took a record since start: a metadata timeout for one of them means the cluster is unreachable (an
     * outage, no attempt spent); for a topic never seen it may be the topic that is missing (an attempt that counts).
     * Bounded by the topics the apps are allowed.
     */
    private final Set<String> deliveredTopics = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final ProducerFactory<byte[], byte[]> producerFactory;
    private final KafkaTemplate<byte[], byte[]> template;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** How long after a send a pending future is failed by the guard (see the class comment). */
    private final long ackGuardMillis;
    /** When the guard last fired with no record completed by the producer since; 0 = not stalled. */
    private final AtomicLong stalledSince = new AtomicLong();

    /**
     * @param producerFactory a factory configured for {@code acks=all} and idempotence, with byte-array
     *                        serializers; this emitter owns it and destroys it on {@link #close()}
     */
    public KafkaMessageEmitter(ProducerFactory<byte[], byte[]> producerFactory) {
        this(producerFactory, Duration.ofMillis(deliveryTimeoutMillis(producerFactory.getConfigurationProperties())
                + ACK_GUARD_SLACK_MILLIS));
    }

    /**
     * @param ackGuard how long a send may stay unacknowledged before its future fails as an outage (the producer's
     *                 delivery timeout plus a little; see the class comment)
     */
    public KafkaMessageEmitter(ProducerFactory<byte[], byte[]> producerFactory, Duration ackGuard) {
        this.ackGuardMillis = ackGuard.toMillis();
        this.producerFactory = producerFactory;
        this.template = new KafkaTemplate<>(producerFactory);
        this.template.setMicrometerEnabled(false);
        // The default LoggingProducerListener logs every failed record (with its value) at ERROR: the engine
        // counts and retries failures instead.
        this.template.setProducerListener(new ProducerListener<>() {
        });
    }

    private static final long ACK_GUARD_SLACK_MILLIS = 1_000;
    private static final long KAFKA_DEFAULT_DELIVERY_TIMEOUT_MILLIS = 120_000;

    static long deliveryTimeoutMillis(Map<String, Object> config) {
        Object value = config.get(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG);
        return value == null ? KAFKA_DEFAULT_DELIVERY_TIMEOUT_MILLIS : Long.parseLong(value.toString());
    }

    @Override
    public List<CompletableFuture<Void>> emit(List<DelayMessage> messages, long now) {
        List<CompletableFuture<Void>> futures = new ArrayList<>(messages.size());
        Throwable fatal = closed.get() ? new IllegalStateException("Kafka emitter is closed") : null;
        if (fatal == null && stalled()) {
            fatal = new TimeoutException("the Kafka producer acknowledged nothing for " + ackGuardMillis
                    + " ms (delivery timeout + 1 s); sends pause until it does");
            for (int i = 0; i < messages.size(); i++) {
                futures.add(CompletableFuture.failedFuture(unavailable(fatal)));
            }
            return futures;
        }
        Set<String> timedOutTopics = null;
        List<Integer> timedOutAt = null;
        Throwable topicTimeout = null;
        for (DelayMessage message : messages) {
            if (fatal != null) {
                futures.add(CompletableFuture.failedFuture(new SkippedSendException(fatal)));
                continue;
            }
            if (timedOutTopics != null && message != null && timedOutTopics.contains(message.topic())) {
                futures.add(CompletableFuture.failedFuture(new SkippedSendException(topicTimeout)));
                continue;
            }
            try {
                futures.add(send(message, now));
            } catch (Throwable t) {
                rethrowIfFatalToJvm(t);
                Throwable cause = unwrap(t);
                Scope scope = classify(cause);
                futures.add(CompletableFuture.failedFuture(switch (scope) {
                    case RECORD -> asRecordFailure(cause);
                    // no metadata in time for a topic that took records before: the cluster, not the topic
                    case TOPIC -> deliveredTopics.contains(message.topic()) ? unavailable(cause) : cause;
                    case BATCH -> clusterDown(cause) ? unavailable(cause) : cause;
                }));
                switch (scope) {
                    case RECORD -> log.debug("Kafka send failed for one record", cause);
                    case TOPIC -> {
                        if (timedOutTopics == null) {
                            timedOutTopics = new HashSet<>();
                            timedOutAt = new ArrayList<>();
                        }
                        timedOutTopics.add(message.topic());
                        timedOutAt.add(futures.size() - 1);
                        topicTimeout = cause;
                        if (timedOutTopics.size() > 1) {
                            fatal = cause;
                            // two topics without metadata: the cluster is unreachable, not those topics broken
                            for (int at : timedOutAt) {
                                futures.set(at, CompletableFuture.failedFuture(unavailable(cause)));
                            }
                        }
                    }
                    case BATCH -> fatal = cause;
                }
            }
        }
        guard(futures);
        return futures;
    }

    /** Stalled now? After one guard period stalled, lets this batch through as a probe (and restarts the period). */
    private boolean stalled() {
        long since = stalledSince.get();
        if (since == 0) {
            return false;
        }
        long now = System.currentTimeMillis();
        return now - since < ackGuardMillis || !stalledSince.compareAndSet(since, now);
    }

    /** Fails what of {@code futures} is still pending one guard period from now: see the class comment. */
    private void guard(List<CompletableFuture<Void>> futures) {
        List<CompletableFuture<Void>> pending = new ArrayList<>(futures.size());
        for (CompletableFuture<Void> f : futures) {
            if (!f.isDone()) {
                pending.add(f);
            }
        }
        if (pending.isEmpty()) {
            return;
        }
        CompletableFuture.delayedExecutor(ackGuardMillis, TimeUnit.MILLISECONDS).execute(() -> {
            TimeoutException late = null;
            for (CompletableFuture<Void> f : pending) {
                if (!f.isDone()) {
                    if (late == null) {
                        late = new TimeoutException("no acknowledgement from Kafka within " + ackGuardMillis
                                + " ms (delivery timeout + 1 s): the producer is waiting for the cluster");
                    }
                    f.completeExceptionally(unavailable(late));
                }
            }
            if (late != null) {
                stalledSince.compareAndSet(0, System.currentTimeMillis());
                log.warn("Kafka acknowledged none of {} records within {} ms; sends pause until the producer "
                        + "completes a record", pending.size(), ackGuardMillis);
            }
        });
    }

    private CompletableFuture<Void> send(DelayMessage message, long now) {
        ProducerRecord<byte[], byte[]> record = toRecord(message, now);
        CompletableFuture<Void> result = new CompletableFuture<>();
        template.send(record).whenComplete((sendResult, error) -> {
            if (error == null || !(unwrap(error) instanceof TimeoutException)) {
                stalledSince.set(0); // the broker answered about a record: the producer is alive
            }
            if (error == null) {
                deliveredTopics.add(message.topic());
                result.complete(null);
            } else {
                result.completeExceptionally(asyncFailure(unwrap(error)));
            }
        });
        return result;
    }

    /**
     * What a failed send means for the message (issue 11: a broker outage is not a message failure):
     * <ul>
     *   <li>a retriable error after the record was queued (delivery timeout, network, no leader, not enough
     *       replicas): the cluster did not take it, whatever the record — the target is unavailable, no attempt
     *       spent;</li>
     *   <li>the record itself is refused (too large, invalid topic, not serializable): a permanent failure;</li>
     *   <li>anything else (authorization, an unknown error): an attempt that counts.</li>
     * </ul>
     */
    static Throwable asyncFailure(Throwable cause) {
        if (cause instanceof RetriableException) {
            return unavailable(cause);
        }
        return asRecordFailure(cause);
    }

    private static Throwable asRecordFailure(Throwable cause) {
        if (cause instanceof RecordTooLargeException || cause instanceof RecordBatchTooLargeException
                || cause instanceof InvalidTopicException || cause instanceof SerializationException) {
            return new MessageEmitter.PermanentFailureException(cause.getClass().getSimpleName() + ": "
                    + cause.getMessage(), cause);
        }
        return cause;
    }

    /** A synchronous failure that stands for the whole cluster: no metadata in time, or the buffer full. */
    private static boolean clusterDown(Throwable cause) {
        return cause instanceof TimeoutException;
    }

    private static MessageEmitter.TargetUnavailableException unavailable(Throwable cause) {
        return new MessageEmitter.TargetUnavailableException("Kafka unavailable: " + cause.getClass().getSimpleName()
                + ": " + cause.getMessage(), cause);
    }

    /** The producer's configuration (for diagnostics and tests). */
    public Map<String, Object> producerConfiguration() {
        return producerFactory.getConfigurationProperties();
    }

    /** The record for {@code message} emitted at {@code now}; see the class comment for the layout. */
    static ProducerRecord<byte[], byte[]> toRecord(DelayMessage message, long now) {
        Map<String, String> own = message.headers();
        List<Header> headers = new ArrayList<>(3 + own.size());
        headers.add(new RecordHeader(DelayHeaders.ID, utf8(message.idString())));
        headers.add(new RecordHeader(DelayHeaders.DELIVER_AT, utf8(Long.toString(message.deliverAt()))));
        headers.add(new RecordHeader(DelayHeaders.APP_KEY, utf8(message.appKey())));
        own.forEach((name, value) -> {
            if (!DelayHeaders.isReserved(name)) {
                headers.add(new RecordHeader(name, utf8(value)));
            }
        });
        byte[] key = message.key() == null ? null : utf8(message.key());
        return new ProducerRecord<>(message.topic(), null, now, key, utf8(message.payload()), headers);
    }

    /** Destroys the producer, waiting up to the configured close timeout for records in flight. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true) && producerFactory instanceof org.springframework.beans.factory.DisposableBean d) {
            try {
                d.destroy();
            } catch (Exception e) {
                log.warn("Closing the Kafka producer failed", e);
            }
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    enum Scope { RECORD, TOPIC, BATCH }

    /** How far a synchronous send failure reaches: see the class comment. */
    static Scope classify(Throwable cause) {
        if (cause instanceof BufferExhaustedException) {
            return Scope.BATCH; // a subclass of TimeoutException: the accumulator is full for every topic
        }
        if (cause instanceof TimeoutException) {
            return Scope.TOPIC;
        }
        if (cause instanceof AuthenticationException || cause instanceof InterruptException) {
            return Scope.BATCH;
        }
        if (cause instanceof ApiException || cause instanceof SerializationException
                || cause instanceof IllegalArgumentException || cause instanceof NullPointerException) {
            return Scope.RECORD;
        }
        return Scope.BATCH;
    }

    /** Strips Spring's and the futures' wrappers down to the Kafka client's exception. */
    static Throwable unwrap(Throwable t) {
        Throwable current = t;
        while (current.getCause() != null && current.getCause() != current
                && (current instanceof org.springframework.kafka.KafkaException
                || current instanceof CompletionException || current instanceof ExecutionException)) {
            current = current.getCause();
        }
        return current;
    }

    private static void rethrowIfFatalToJvm(Throwable t) {
        if (t instanceof VirtualMachineError error) {
            throw error;
        }
    }

    /** A message of a batch that was not sent because an earlier send of the same batch failed fast. */
    public static final class SkippedSendException extends MessageEmitter.NotAttemptedException {
        SkippedSendException(Throwable cause) {
            super("not sent: an earlier send of this batch failed (" + cause + ")", cause);
        }
    }
}
