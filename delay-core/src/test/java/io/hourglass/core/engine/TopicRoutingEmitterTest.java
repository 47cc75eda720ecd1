package io.hourglass.core.engine;

import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.model.MessageIds;
import io.hourglass.core.spi.MessageEmitter;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TopicRoutingEmitterTest {

    private final MessageIds ids = new MessageIds();

    /** Records what it was given and answers each message by its payload: "ok" completes, anything else fails. */
    private static final class Recorder implements MessageEmitter {
        final List<List<String>> batches = new ArrayList<>();

        @Override
        public List<CompletableFuture<Void>> emit(List<DelayMessage> messages, long now) {
            batches.add(messages.stream().map(DelayMessage::payload).toList());
            return messages.stream().map(m -> m.payload().startsWith("ok")
                    ? CompletableFuture.<Void>completedFuture(null)
                    : CompletableFuture.<Void>failedFuture(new IllegalStateException(m.payload()))).toList();
        }
    }

    private DelayMessage message(String topic, String payload) {
        return DelayMessage.scheduled(ids.next(0, 1_000), "app", topic, null, payload, null, 1_000, null, 1_000, null);
    }

    @Test
    void eachTopicGoesToItsEmitterInOrderAndTheAnswersComeBackInTheBatchOrder() {
        Recorder kafka = new Recorder();
        Recorder http = new Recorder();
        TopicRoutingEmitter routing = new TopicRoutingEmitter(topic -> topic.startsWith("hook.") ? http : kafka);

        List<CompletableFuture<Void>> answers = routing.emit(List.of(
                message("orders", "ok-1"), message("hook.pay", "fail-2"), message("orders", "fail-3"),
                message("hook.pay", "ok-4")), 5_000);

        assertThat(kafka.batches).containsExactly(List.of("ok-1", "fail-3"));
        assertThat(http.batches).containsExactly(List.of("fail-2", "ok-4"));
        assertThat(answers.get(0)).isCompleted().isNotCompletedExceptionally();
        assertThatThrownBy(answers.get(1)::join).isInstanceOf(CompletionException.class).hasMessageContaining("fail-2");
        assertThatThrownBy(answers.get(2)::join).hasMessageContaining("fail-3");
        assertThat(answers.get(3)).isCompleted().isNotCompletedExceptionally();
    }

    @Test
    void aTopicWhoseEmitterCannotBeChosenFailsOnlyItsMessagesAsNotAttempted() {
        Recorder kafka = new Recorder();
        TopicRoutingEmitter routing = new TopicRoutingEmitter(topic -> {
            if (topic.startsWith("hook.")) {
                throw new IllegalStateException("callback settings not read yet");
            }
            return kafka;
        });

        List<CompletableFuture<Void>> answers = routing.emit(List.of(message("hook.pay", "ok-1"),
                message("orders", "ok-2"), message("hook.pay", "ok-3")), 5_000);

        assertThat(kafka.batches).as("never sent to a guessed emitter").containsExactly(List.of("ok-2"));
        for (int i : new int[] {0, 2}) {
            assertThatThrownBy(answers.get(i)::join).hasCauseInstanceOf(MessageEmitter.NotAttemptedException.class)
                    .hasMessageContaining("callback settings not read yet");
        }
        assertThat(answers.get(1)).isCompleted().isNotCompletedExceptionally();
    }

    @Test
    void anEmitterThatThrowsFailsOnlyItsOwnMessages() {
        Recorder kafka = new Recorder();
        MessageEmitter broken = (messages, now) -> {
            throw new IllegalStateException("emitter broken");
        };
        TopicRoutingEmitter routing = new TopicRoutingEmitter(topic -> topic.equals("broken") ? broken : kafka);

        List<CompletableFuture<Void>> answers = routing.emit(List.of(message("broken", "x"), message("orders", "ok")), 1);

        assertThatThrownBy(answers.get(0)::join).hasMessageContaining("emitter broken");
        assertThat(answers.get(1)).isCompleted().isNotCompletedExceptionally();
    }
}
