package io.hourglass.core.error;

/** Missing or wrong app key or secret. */
public class AuthenticationException extends DelayException {

    public AuthenticationException(String message) {
        super(message);
    }

    @Override
    public String code() {
        return "unauthenticated";
    }
}
