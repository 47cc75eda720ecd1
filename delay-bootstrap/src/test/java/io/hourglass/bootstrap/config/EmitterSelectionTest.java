package io.hourglass.bootstrap.config;

import io.hourglass.core.engine.TopicRoutingEmitter;
import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.model.MessageIds;
import io.hourglass.core.spi.MessageEmitter;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which emitter the engine gets: one, the callback emitter alone, or a routing of topics between them. */
class EmitterSelectionTest {

    private static final class Named implements MessageEmitter {
        final List<String> topics = new ArrayList<>();

        @Override
        public List<CompletableFuture<Void>> emit(List<DelayMessage> messages, long now) {
            messages.forEach(m -> topics.add(m.topic()));
            return messages.stream().map(m -> CompletableFuture.<Void>completedFuture(null)).toList();
        }
    }

    private final MessageIds ids = new MessageIds();

    private DelayMessage on(String topic) {
        return DelayMessage.scheduled(ids.next(0, 1), "app", topic, null, "p", null, 1, null, 1, null);
    }

    @Test
    void withTheCallbackEmitterBesideKafkaTopicsWithATargetGoByCallbackAndTheRestToKafka() {
        Named kafka = new Named();
        Named callbacks = new Named();
        MessageEmitter chosen = EmitterSelection.route(List.of(kafka, callbacks), callbacks,
                topic -> topic.equals("hooks"), "kafka");

        assertThat(chosen).isInstanceOf(TopicRoutingEmitter.class);
        chosen.emit(List.of(on("orders"), on("hooks"), on("other")), 1);
        assertThat(kafka.topics).containsExactly("orders", "other");
        assertThat(callbacks.topics).containsExactly("hooks");
    }

    @Test
    void theOnlyEmitterIsTheEnginesWhateverItIs() {
        Named kafka = new Named();
        Named callbacks = new Named();
        assertThat(EmitterSelection.route(List.of(kafka), null, t -> false, "kafka")).isSameAs(kafka);
        assertThat(EmitterSelection.route(List.of(callbacks), callbacks, t -> false, "http")).isSameAs(callbacks);
    }

    @Test
    void noEmitterOrTwoUnknownOnesFailTheStartNamingTheKey() {
        assertThatThrownBy(() -> EmitterSelection.route(List.of(), null, t -> false, "pulsar"))
                .hasMessageContaining("delay.message.type=pulsar");
        assertThatThrownBy(() -> EmitterSelection.route(List.of(new Named(), new Named()), null, t -> false, "kafka"))
                .hasMessageContaining("More than one MessageEmitter");
    }
}
