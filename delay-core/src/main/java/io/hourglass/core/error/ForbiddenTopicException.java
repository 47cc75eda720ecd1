package io.hourglass.core.error;

/** The app is authenticated but the topic is not registered for it. */
public class ForbiddenTopicException extends DelayException {

    public ForbiddenTopicException(String appKey, String topic) {
        super("App '" + appKey + "' may not use topic '" + topic + "'");
    }

    @Override
    public String code() {
        return "topic-forbidden";
    }
}
