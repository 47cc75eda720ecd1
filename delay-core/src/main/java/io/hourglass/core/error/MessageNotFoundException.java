package io.hourglass.core.error;

/** No message with this id belongs to the calling app. */
public class MessageNotFoundException extends DelayException {

    public MessageNotFoundException(String id) {
        super("No message with id " + id);
    }

    @Override
    public String code() {
        return "message-not-found";
    }
}
