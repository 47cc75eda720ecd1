package io.hourglass.exporter.dubbo;

import java.nio.charset.StandardCharsets;

/**
 * The {@code grpc-message} trailer as the gRPC spec (PROTOCOL-HTTP2.md, "Status-Message") writes it: the UTF-8
 * bytes of the message, percent-encoded only where they fall outside {@code 0x20..0x7E} and for {@code %} itself,
 * so that every gRPC client shows the text as it was written.
 *
 * <p>Dubbo's own {@code TriRpcStatus.encodeMessage} form-encodes instead (as in a URL query: {@code :} becomes
 * {@code %3A}, {@code /} {@code %2F}), which only clients that decode every escape undo: grpc-java does, but
 * {@code @grpc/grpc-js} decodes with JavaScript's {@code decodeURI}, which leaves the escapes of URI delimiters
 * ({@code : / ? # & = + $ , ; @}) as they are, and shows {@code Invalid request%3A delayMs ...}. Written as the spec
 * says, those characters are never escaped, so every decoder reads them. (Dubbo consumers decode
 * {@code grpc-message} as a form value, where a {@code +} reads as a space; the Dubbo SDK takes the detail from
 * the problem trailer instead, which is exact.)
 */
final class GrpcMessage {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private GrpcMessage() {
    }

    /** {@code message} ready to be the value of {@code grpc-message}; {@code null} gives the empty string. */
    static String encode(String message) {
        if (message == null || message.isEmpty()) {
            return "";
        }
        byte[] utf8 = message.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(utf8.length + 16);
        for (byte b : utf8) {
            int c = b & 0xFF;
            if (c >= 0x20 && c <= 0x7E && c != '%') {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
        }
        return out.toString();
    }
}
