package io.hourglass.core.error;

/** The payload is larger than {@code delay.core.max-payload-bytes}. Nothing was stored. */
public class PayloadTooLargeException extends ValidationException {

    public PayloadTooLargeException(int size, int max) {
        super("payload", "is " + size + " bytes in UTF-8; the limit is " + max + " bytes");
    }

    @Override
    public String code() {
        return "payload-too-large";
    }
}
