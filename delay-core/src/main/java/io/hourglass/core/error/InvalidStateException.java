package io.hourglass.core.error;

import io.hourglass.core.model.MessageState;

/** The message is in a state that does not allow the change (e.g. cancelling a DELIVERED message). */
public class InvalidStateException extends DelayException {

    private final MessageState state;

    public InvalidStateException(String id, MessageState state, String action) {
        super("Message " + id + " is " + state + " and can no longer be " + action);
        this.state = state;
    }

    public MessageState state() {
        return state;
    }

    @Override
    public String code() {
        return "invalid-state";
    }
}
