package io.hourglass.bootstrap.config;

import io.hourglass.core.engine.TopicRoutingEmitter;
import io.hourglass.core.spi.MessageEmitter;
import io.hourglass.message.http.CallbackTargets;
import io.hourglass.message.http.HttpCallbackEmitter;

import java.util.List;
import java.util.function.Predicate;

/**
 * Which {@link MessageEmitter} the engine gets (issue 11: emitters per topic). With the HTTP callback emitter on
 * beside another one (Kafka), a {@link TopicRoutingEmitter}: a topic with a callback target delivers by callback,
 * every other topic through the other emitter. With only the callback emitter ({@code delay.message.type=http})
 * every topic delivers by callback. Otherwise the one emitter there is.
 */
final class EmitterSelection {

    private EmitterSelection() {
    }

    static MessageEmitter choose(List<MessageEmitter> all, HttpCallbackEmitter callbacks, CallbackTargets targets,
                                 String type) {
        Predicate<String> callbackTopic = topic -> targets != null && targets.targetFor(topic).isPresent();
        return route(all, callbacks, callbackTopic, type);
    }

    /** @param callbackTopic whether a topic has a callback target */
    static MessageEmitter route(List<MessageEmitter> all, MessageEmitter callbacks, Predicate<String> callbackTopic,
                                 String type) {
        List<MessageEmitter> others = all.stream().filter(e -> e != callbacks).toList();
        if (others.size() > 1) {
            throw new IllegalStateException("More than one MessageEmitter for delay.message.type=" + type + ": "
                    + others.stream().map(e -> e.getClass().getSimpleName()).toList());
        }
        if (callbacks == null) {
            if (others.isEmpty()) {
                throw new IllegalStateException("No MessageEmitter for delay.message.type=" + type
                        + ": the module for that type is not on the classpath (or the value is misspelled)");
            }
            return others.get(0);
        }
        if (others.isEmpty()) {
            return callbacks;
        }
        MessageEmitter fallback = others.get(0);
        return new TopicRoutingEmitter(topic -> callbackTopic.test(topic) ? callbacks : fallback);
    }
}
