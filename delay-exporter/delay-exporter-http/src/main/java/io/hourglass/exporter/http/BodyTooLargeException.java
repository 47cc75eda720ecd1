package io.hourglass.exporter.http;

import java.io.IOException;

/** A body read past its cap ({@code delay.exporter.http.max-body-bytes}); answered 413 {@code request-too-large}. */
final class BodyTooLargeException extends IOException {

    BodyTooLargeException(String message) {
        super(message);
    }
}
