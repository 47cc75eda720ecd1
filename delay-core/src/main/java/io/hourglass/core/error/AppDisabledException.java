package io.hourglass.core.error;

/** The app is authenticated but disabled by an operator: it may read and cancel its messages, not submit or re-time. */
public class AppDisabledException extends DelayException {

    public AppDisabledException(String appKey) {
        super("App '" + appKey + "' is disabled");
    }

    @Override
    public String code() {
        return "app-disabled";
    }
}
