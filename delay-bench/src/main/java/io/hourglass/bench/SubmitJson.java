package io.hourglass.bench;

import java.nio.charset.StandardCharsets;

/**
 * The JSON of a single submit without Jackson: writes the request body of {@code POST /api/v1/messages} (the
 * same bytes Jackson writes for an {@link ApiClient.Message}) and picks {@code id} and {@code deliverAt} out of
 * the 201 answer. The scanner only understands what it needs; anything unexpected (an escaped id, a fractional
 * deliverAt) answers null so that the caller falls back to Jackson.
 */
final class SubmitJson {

    private SubmitJson() {
    }

    /** A growable byte array written from the front; reused request after request. */
    static final class Sink {
        byte[] bytes;
        int size;

        Sink(int capacity) {
            bytes = new byte[Math.max(16, capacity)];
        }

        void reset() {
            size = 0;
        }

        void ensure(int more) {
            if (bytes.length - size < more) {
                byte[] grown = new byte[Math.max(size + more, bytes.length * 2)];
                System.arraycopy(bytes, 0, grown, 0, size);
                bytes = grown;
            }
        }

        void put(byte b) {
            ensure(1);
            bytes[size++] = b;
        }

        void put(byte[] b) {
            put(b, 0, b.length);
        }

        void put(byte[] b, int off, int len) {
            ensure(len);
            System.arraycopy(b, off, bytes, size, len);
            size += len;
        }

        /** {@code v} in decimal. */
        void putLong(long v) {
            if (v == Long.MIN_VALUE) {
                put("-9223372036854775808".getBytes(StandardCharsets.US_ASCII));
                return;
            }
            ensure(20);
            if (v < 0) {
                bytes[size++] = '-';
                v = -v;
            }
            int digits = 1;
            for (long t = v; t >= 10; t /= 10) {
                digits++;
            }
            int end = size + digits;
            for (int i = end - 1; i >= size; i--) {
                bytes[i] = (byte) ('0' + v % 10);
                v /= 10;
            }
            size = end;
        }

        /** {@code s} as a JSON string literal in UTF-8, quotes included. */
        void putJsonString(String s) {
            int n = s.length();
            ensure(n + 2);
            bytes[size++] = '"';
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                    if (size == bytes.length) {
                        ensure(n - i + 1);
                    }
                    bytes[size++] = (byte) c;
                } else {
                    i = putSpecial(s, i, c);
                }
            }
            put((byte) '"');
        }

        /** Writes the escape or UTF-8 bytes of {@code c} (at {@code i}); returns the index of the last char used. */
        private int putSpecial(String s, int i, char c) {
            ensure(12);
            if (c == '"' || c == '\\') {
                bytes[size++] = '\\';
                bytes[size++] = (byte) c;
            } else if (c < 0x20 || c == 0x7f) {
                switch (c) {
                    case '\n' -> putEscape('n');
                    case '\r' -> putEscape('r');
                    case '\t' -> putEscape('t');
                    case '\b' -> putEscape('b');
                    case '\f' -> putEscape('f');
                    default -> {
                        if (c == 0x7f) {
                            bytes[size++] = (byte) c;
                        } else {
                            bytes[size++] = '\\';
                            bytes[size++] = 'u';
                            bytes[size++] = '0';
                            bytes[size++] = '0';
                            bytes[size++] = (byte) HEX[c >> 4];
                            bytes[size++] = (byte) HEX[c & 0xf];
                        }
                    }
                }
            } else if (c < 0x800) {
                bytes[size++] = (byte) (0xc0 | (c >> 6));
                bytes[size++] = (byte) (0x80 | (c & 0x3f));
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(i + 1));
                bytes[size++] = (byte) (0xf0 | (cp >> 18));
                bytes[size++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
                bytes[size++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
                bytes[size++] = (byte) (0x80 | (cp & 0x3f));
                return i + 1;
            } else if (Character.isSurrogate(c)) {
                bytes[size++] = '?'; // an unpaired surrogate has no UTF-8 form
            } else {
                bytes[size++] = (byte) (0xe0 | (c >> 12));
                bytes[size++] = (byte) (0x80 | ((c >> 6) & 0x3f));
                bytes[size++] = (byte) (0x80 | (c & 0x3f));
            }
            return i;
        }

        private void putEscape(char e) {
            bytes[size++] = '\\';
            bytes[size++] = (byte) e;
        }
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray(); // control characters as backslash-u-00XX, upper case like Jackson
    private static final byte[] TOPIC = ascii("{\"topic\":");
    private static final byte[] PAYLOAD = ascii(",\"payload\":");
    private static final byte[] DELAY_MS = ascii(",\"delayMs\":");
    private static final byte[] DELIVER_AT = ascii(",\"deliverAt\":");
    private static final byte[] NULL = ascii("null");
    private static final byte[] ID_KEY = ascii("id");
    private static final byte[] DELIVER_AT_KEY = ascii("deliverAt");

    /** Appends the request body for {@code m}: {@code {"topic":..,"payload":..,"delayMs"|"deliverAt":..}}. */
    static void write(Sink out, ApiClient.Message m) {
        out.put(TOPIC);
        if (m.topic() == null) {
            out.put(NULL);
        } else {
            out.putJsonString(m.topic());
        }
        out.put(PAYLOAD);
        if (m.payload() == null) {
            out.put(NULL);
        } else {
            out.putJsonString(m.payload());
        }
        if (m.delayMs() != null) {
            out.put(DELAY_MS);
            out.putLong(m.delayMs());
        }
        if (m.deliverAt() != null) {
            out.put(DELIVER_AT);
            out.putLong(m.deliverAt());
        }
        out.put((byte) '}');
    }

    /**
     * {@code id} and {@code deliverAt} of a submit answer ({@code {"id":"..","deliverAt":123,"state":".."}}, in any
     * order, other members skipped), or null when the body is not such an object or the scanner is not sure.
     */
    static ApiClient.Outcome scanAccepted(byte[] b, int off, int len) {
        int end = off + len;
        int i = skipWs(b, off, end);
        if (i >= end || b[i] != '{') {
            return null;
        }
        i++;
        String id = null;
        long deliverAt = 0;
        boolean haveDeliverAt = false;
        for (int members = 0; members < len; members++) { // each member consumes >= 4 bytes; len bounds it
            i = skipWs(b, i, end);
            if (i >= end) {
                return null;
            }
            if (b[i] == '}') {
                break;
            }
            if (members > 0) {
                if (b[i] != ',') {
                    return null;
                }
                i = skipWs(b, i + 1, end);
            }
            if (i >= end || b[i] != '"') {
                return null;
            }
            int keyStart = i + 1;
            int keyEnd = plainStringEnd(b, keyStart, end);
            if (keyEnd < 0) {
                return null;
            }
            i = skipWs(b, keyEnd + 1, end);
            if (i >= end || b[i] != ':') {
                return null;
            }
            i = skipWs(b, i + 1, end);
            if (i >= end) {
                return null;
            }
            if (equals(b, keyStart, keyEnd, ID_KEY)) {
                if (b[i] != '"') {
                    return null;
                }
                int s = i + 1;
                int e = plainStringEnd(b, s, end);
                if (e < 0) {
                    return null;
                }
                id = ascii(b, s, e) ? new String(b, s, e - s, StandardCharsets.ISO_8859_1)
                        : new String(b, s, e - s, StandardCharsets.UTF_8);
                i = e + 1;
            } else if (equals(b, keyStart, keyEnd, DELIVER_AT_KEY)) {
                int s = i;
                boolean negative = b[i] == '-';
                if (negative) {
                    i++;
                }
                long v = 0;
                int digits = 0;
                for (; i < end && b[i] >= '0' && b[i] <= '9'; i++) {
                    if (++digits > 18) {
                        return null;
                    }
                    v = v * 10 + (b[i] - '0');
                }
                if (digits == 0 || (i < end && (b[i] == '.' || b[i] == 'e' || b[i] == 'E'))) {
                    return null;
                }
                deliverAt = negative ? -v : v;
                haveDeliverAt = i > s;
            } else {
                i = skipValue(b, i, end);
                if (i < 0) {
                    return null;
                }
            }
        }
        return id != null && haveDeliverAt ? new ApiClient.Outcome(id, deliverAt, null) : null;
    }

    /** The index after the JSON value at {@code i}, or -1 when it cannot be skipped safely. */
    private static int skipValue(byte[] b, int i, int end) {
        int depth = 0;
        for (; i < end; i++) {
            byte c = b[i];
            if (c == '"') {
                i = stringEnd(b, i + 1, end);
                if (i < 0) {
                    return -1;
                }
                if (depth == 0) {
                    return i + 1;
                }
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                if (depth == 0) {
                    return i; // the end of the enclosing object: a scalar ended just before
                }
                if (--depth == 0) {
                    return i + 1;
                }
            } else if (depth == 0 && (c == ',' || c == ' ' || c == '\t' || c == '\r' || c == '\n')) {
                return i;
            }
        }
        return -1;
    }

    /** The index of the closing quote of a string starting at {@code i} (after the opening one), escapes allowed. */
    private static int stringEnd(byte[] b, int i, int end) {
        for (; i < end; i++) {
            if (b[i] == '\\') {
                i++;
            } else if (b[i] == '"') {
                return i;
            }
        }
        return -1;
    }

    /** Like {@link #stringEnd} but -1 for a string with escapes (which would need decoding). */
    private static int plainStringEnd(byte[] b, int i, int end) {
        for (; i < end; i++) {
            if (b[i] == '\\') {
                return -1;
            }
            if (b[i] == '"') {
                return i;
            }
        }
        return -1;
    }

    private static int skipWs(byte[] b, int i, int end) {
        while (i < end && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n')) {
            i++;
        }
        return i;
    }

    private static boolean equals(byte[] b, int start, int end, byte[] key) {
        if (end - start != key.length) {
            return false;
        }
        for (int k = 0; k < key.length; k++) {
            if (b[start + k] != key[k]) {
                return false;
            }
        }
        return true;
    }

    private static boolean ascii(byte[] b, int start, int end) {
        for (int i = start; i < end; i++) {
            if (b[i] < 0) {
                return false;
            }
        }
        return true;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
