package io.hourglass.message.http;

import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.model.MessageIds;
import io.hourglass.core.model.MessageState;

import java.util.Map;

/** Messages as the engine hands them to an emitter: claimed (FIRING), with their attempt counted. */
final class Messages {

    static final String APP = "app-1";
    static final String TOPIC = "orders";
    private static final MessageIds IDS = new MessageIds();

    private Messages() {
    }

    static DelayMessage firing(String payload, Map<String, String> headers, long deliverAt, int attempt) {
        return firing(APP, payload, headers, deliverAt, attempt);
    }

    static DelayMessage firing(String appKey, String payload, Map<String, String> headers, long deliverAt,
                               int attempt) {
        long id = IDS.next(7, deliverAt);
        return new DelayMessage(id, appKey, TOPIC, null, payload, headers, deliverAt, deliverAt, null,
                MessageState.FIRING, attempt, deliverAt - 1000, deliverAt, 7, 1, null, 1, deliverAt, null);
    }

    static DelayMessage firing(String payload) {
        return firing(payload, Map.of(), 1_800_000_000_000L, 1);
    }
}
