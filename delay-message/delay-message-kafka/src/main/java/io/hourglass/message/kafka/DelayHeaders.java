package io.hourglass.message.kafka;

/**
 * Names of the Kafka record headers Hourglass adds to every emitted record. Values are UTF-8 text.
 *
 * <p>Consumers drop duplicates by {@link #ID} (at-least-once delivery) and can prove "never early" by comparing the
 * record timestamp (the engine's clock when it emitted) with {@link #DELIVER_AT}.
 */
public final class DelayHeaders {

    /** The message id, unsigned decimal ({@code DelayMessage.idString()}). */
    public static final String ID = "x-delay-id";

    /** The due time, epoch milliseconds UTC, decimal. */
    public static final String DELIVER_AT = "x-delay-deliver-at";

    /** The app that submitted the message. */
    public static final String APP_KEY = "x-delay-app-key";

    private DelayHeaders() {
    }

    /** True for a name Hourglass sets itself; a user header of that name is not emitted (ours must win). */
    public static boolean isReserved(String name) {
        return ID.equals(name) || DELIVER_AT.equals(name) || APP_KEY.equals(name);
    }
}
