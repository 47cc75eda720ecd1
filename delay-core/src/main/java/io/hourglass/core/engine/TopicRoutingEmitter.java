package io.hourglass.core.engine;

import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.spi.MessageEmitter;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The one place where a topic's delivery is chosen: the engine keeps a single {@link MessageEmitter} port, and this
 * emitter hands each message to the emitter its topic delivers through (Kafka by default, an HTTP callback for a
 * topic that has a target). A batch is split into one sub-batch per emitter, each in the batch's order, and the
 * answers are put back in the original order; no emitter needs to know that others exist.
 *
 * <p>A failure of one emitter (it throws) fails only its own messages, as a failure the engine counts. A topic whose
 * emitter cannot be chosen (the lookup throws) fails only its messages, as not attempted: retried later without
 * spending an attempt, never sent to a guessed emitter.
 */
public final class TopicRoutingEmitter implements MessageEmitter {

    private final Function<String, MessageEmitter> emitterOfTopic;

    /** @param emitterOfTopic the emitter of a topic; never {@code null} (return the default for other topics) */
    public TopicRoutingEmitter(Function<String, MessageEmitter> emitterOfTopic) {
        this.emitterOfTopic = Objects.requireNonNull(emitterOfTopic, "emitterOfTopic");
    }

    @Override
    public List<CompletableFuture<Void>> emit(List<DelayMessage> messages, long now) {
        Map<MessageEmitter, List<Integer>> positions = new IdentityHashMap<>();
        Map<MessageEmitter, List<DelayMessage>> batches = new IdentityHashMap<>();
        for (int i = 0; i < messages.size(); i++) {
            DelayMessage m = messages.get(i);
            MessageEmitter target;
            try {
                target = Objects.requireNonNull(emitterOfTopic.apply(m.topic()),
                        () -> "no emitter for topic " + m.topic());
            } catch (RuntimeException e) {
                // where the topic delivers is unknown for now (its settings unreadable): not the message's fault
                target = new Refusing(new NotAttemptedException("no emitter known for topic " + m.topic() + ": " + e, e));
            }
            positions.computeIfAbsent(target, t -> new ArrayList<>()).add(i);
            batches.computeIfAbsent(target, t -> new ArrayList<>()).add(m);
        }
        if (batches.size() == 1) {
            MessageEmitter only = batches.keySet().iterator().next();
            return emitSafely(only, messages, now);
        }
        List<CompletableFuture<Void>> out = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            out.add(null);
        }
        for (Map.Entry<MessageEmitter, List<DelayMessage>> batch : batches.entrySet()) {
            List<CompletableFuture<Void>> answers = emitSafely(batch.getKey(), batch.getValue(), now);
            List<Integer> at = positions.get(batch.getKey());
            for (int j = 0; j < at.size(); j++) {
                out.set(at.get(j), answers.get(j));
            }
        }
        return out;
    }

    /** Fails every message it is given with one exception (a message whose emitter could not be chosen). */
    private record Refusing(RuntimeException failure) implements MessageEmitter {
        @Override
        public List<CompletableFuture<Void>> emit(List<DelayMessage> messages, long now) {
            return failedAll(messages.size(), failure);
        }
    }

    private static List<CompletableFuture<Void>> failedAll(int count, RuntimeException failure) {
        List<CompletableFuture<Void>> failed = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            failed.add(CompletableFuture.failedFuture(failure));
        }
        return failed;
    }

    private static List<CompletableFuture<Void>> emitSafely(MessageEmitter emitter, List<DelayMessage> batch, long now) {
        try {
            List<CompletableFuture<Void>> answers = emitter.emit(batch, now);
            if (answers.size() != batch.size()) {
                throw new IllegalStateException(emitter + " answered " + answers.size() + " futures for "
                        + batch.size() + " messages");
            }
            return answers;
        } catch (RuntimeException e) {
            return failedAll(batch.size(), e);
        }
    }
}
