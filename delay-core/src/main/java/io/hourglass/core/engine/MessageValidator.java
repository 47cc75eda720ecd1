package io.hourglass.core.engine;

import io.hourglass.core.error.PayloadTooLargeException;
import io.hourglass.core.error.ValidationException.FieldError;
import io.hourglass.core.error.ValidationException;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/** Checks client input against the documented limits. Pure: no I/O, time passed in. */
final class MessageValidator {

    static final int MAX_KEY_CHARS = 512;
    static final int MAX_HEADERS = 32;
    static final int MAX_HEADER_NAME_CHARS = 128;
    static final int MAX_HEADER_VALUE_CHARS = 1024;
    static final int MAX_IDEMPOTENCY_KEY_CHARS = 128;
    /**
     * Largest JSON encoding of all headers, in UTF-8 bytes: far below what every store keeps (a MySQL TEXT column
     * holds 65,535 bytes), so a message that passes validation is never refused or truncated by the store.
     */
    static final int MAX_HEADERS_BYTES = 16 * 1024;
    private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    private final EngineSettings settings;

    MessageValidator(EngineSettings settings) {
        this.settings = settings;
    }

    /** A submit's absolute times: when it is due, and when it expires (0: never). */
    record Times(long deliverAt, long expiresAt) {
    }

    /** Validates a submit and returns its absolute due time. */
    long validateSubmit(SubmitCommand cmd, long now) {
        return validateSubmitTimes(cmd, now).deliverAt();
    }

    /** Validates a submit and returns its absolute due and expiry times. */
    Times validateSubmitTimes(SubmitCommand cmd, long now) {
        List<FieldError> errors = new ArrayList<>();
        if (cmd.topic() == null || cmd.topic().isEmpty()) {
            errors.add(new FieldError("topic", "is required"));
        } else if (!TOPIC.matcher(cmd.topic()).matches() || cmd.topic().equals(".") || cmd.topic().equals("..")) {
            errors.add(new FieldError("topic", "must be 1-249 characters of [a-zA-Z0-9._-]"));
        }
        if (cmd.key() != null && cmd.key().length() > MAX_KEY_CHARS) {
            errors.add(new FieldError("key", "must be at most " + MAX_KEY_CHARS + " characters"));
        } else if (hasControlCharacter(cmd.key())) {
            errors.add(new FieldError("key", CONTROL_CHARACTERS));
        }
        if (cmd.payload() == null) {
            errors.add(new FieldError("payload", "is required"));
        }
        validateHeaders(cmd.headers(), errors);
        long deliverAt = dueTime(cmd.delayMs(), cmd.deliverAt(), now, errors);
        long expiresAt = expiry(cmd, deliverAt, now, errors);
        if (cmd.repeatIntervalMs() != null) {
            long min = settings.limits().minRepeatInterval().toMillis();
            long max = settings.limits().maxDelay().toMillis();
            if (cmd.repeatIntervalMs() < min || cmd.repeatIntervalMs() > max) {
                errors.add(new FieldError("repeatIntervalMs", "must be between " + min + " and " + max));
            }
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        int bytes = utf8Length(cmd.payload());
        if (bytes > settings.limits().maxPayloadBytes()) {
            throw new PayloadTooLargeException(bytes, settings.limits().maxPayloadBytes());
        }
        return new Times(deliverAt, expiresAt);
    }

    /**
     * The expiry of a submit: 0 when it names none; else after its due time (a message that would expire before it
     * is due could never be emitted: a 400) and within {@code max-delay} of now.
     */
    private long expiry(SubmitCommand cmd, long deliverAt, long now, List<FieldError> errors) {
        if (cmd.ttlMs() == null && cmd.expiresAt() == null) {
            return 0;
        }
        if (cmd.ttlMs() != null && cmd.expiresAt() != null) {
            errors.add(new FieldError("ttlMs", "at most one of ttlMs and expiresAt"));
            return 0;
        }
        long max = settings.limits().maxDelay().toMillis();
        String field = cmd.ttlMs() != null ? "ttlMs" : "expiresAt";
        long expiresAt;
        if (cmd.ttlMs() != null) {
            if (cmd.ttlMs() <= 0 || cmd.ttlMs() > max) {
                errors.add(new FieldError(field, "must be between 1 and " + max));
                return 0;
            }
            expiresAt = now + cmd.ttlMs();
        } else {
            expiresAt = cmd.expiresAt();
            if (expiresAt <= now || expiresAt - now > max) {
                errors.add(new FieldError(field, "must lie after now and at most " + max + " ms (delay.core.max-delay) ahead"));
                return 0;
            }
        }
        if (expiresAt <= deliverAt) {
            errors.add(new FieldError(field, "puts the expiry at or before the due time: the message could never be emitted"));
            return 0;
        }
        return expiresAt;
    }

    /** The client's idempotency key, when given, is 1-128 characters. */
    void validateIdempotencyKey(String idempotencyKey) {
        if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > MAX_IDEMPOTENCY_KEY_CHARS)) {
            throw new ValidationException("Idempotency-Key", "must be 1-" + MAX_IDEMPOTENCY_KEY_CHARS + " characters");
        }
        if (hasControlCharacter(idempotencyKey)) {
            throw new ValidationException("Idempotency-Key", CONTROL_CHARACTERS);
        }
    }

    void checkOneRescheduleField(RescheduleCommand cmd) {
        int set = (cmd.deliverAt() != null ? 1 : 0) + (cmd.delayMs() != null ? 1 : 0) + (cmd.extendMs() != null ? 1 : 0);
        if (set != 1) {
            throw new ValidationException("deliverAt", "exactly one of deliverAt, delayMs and extendMs is required");
        }
    }

    /** Validates a change of due time against the current one and returns the new due time. */
    long validateReschedule(RescheduleCommand cmd, long currentDeliverAt, long now) {
        checkOneRescheduleField(cmd);
        List<FieldError> errors = new ArrayList<>();
        long result;
        if (cmd.extendMs() != null) {
            long target;
            try {
                target = Math.addExact(currentDeliverAt, cmd.extendMs());
            } catch (ArithmeticException overflow) {
                throw new ValidationException("extendMs", "is out of range");
            }
            checkRange("extendMs", target, now, errors);
            result = Math.max(target, now);
        } else {
            result = dueTime(cmd.delayMs(), cmd.deliverAt(), now, errors);
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        return result;
    }

    /** Validates a redrive and returns its due time: {@code now} when it names none. */
    long validateRedrive(RedriveCommand cmd, long now) {
        if (cmd == null || (cmd.deliverAt() == null && cmd.delayMs() == null)) {
            return now;
        }
        List<FieldError> errors = new ArrayList<>();
        long result = dueTime(cmd.delayMs(), cmd.deliverAt(), now, errors);
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        return result;
    }

    private long dueTime(Long delayMs, Long deliverAt, long now, List<FieldError> errors) {
        if ((delayMs == null) == (deliverAt == null)) {
            errors.add(new FieldError(delayMs == null ? "delayMs" : "deliverAt", "exactly one of delayMs and deliverAt is required"));
            return now;
        }
        long max = settings.limits().maxDelay().toMillis();
        if (delayMs != null) {
            if (delayMs < 0 || delayMs > max) {
                errors.add(new FieldError("delayMs", "must be between 0 and " + max));
                return now;
            }
            return now + delayMs;
        }
        checkRange("deliverAt", deliverAt, now, errors);
        return Math.max(deliverAt, now);
    }

    private void checkRange(String field, long deliverAt, long now, List<FieldError> errors) {
        long max = settings.limits().maxDelay().toMillis();
        long tolerance = settings.limits().pastTolerance().toMillis();
        if (deliverAt < Math.subtractExact(now, tolerance)) {
            errors.add(new FieldError(field, "puts the due time " + (now - deliverAt) + " ms in the past; at most "
                    + tolerance + " ms in the past is accepted (as due now)"));
        } else if (deliverAt - now > max) { // no overflow: deliverAt >= now - tolerance here
            errors.add(new FieldError(field, "puts the due time more than " + max + " ms (delay.core.max-delay) ahead"));
        }
    }

    private static void validateHeaders(Map<String, String> headers, List<FieldError> errors) {
        if (headers == null) {
            return;
        }
        if (headers.size() > MAX_HEADERS) {
            errors.add(new FieldError("headers", "at most " + MAX_HEADERS + " headers"));
            return;
        }
        long encodedBytes = 2; // {}
        for (Map.Entry<String, String> h : headers.entrySet()) {
            String name = h.getKey();
            if (name == null || name.isEmpty() || name.length() > MAX_HEADER_NAME_CHARS) {
                errors.add(new FieldError("headers", "names must be 1-" + MAX_HEADER_NAME_CHARS + " characters"));
            } else if (hasControlCharacter(name)) {
                errors.add(new FieldError("headers", "names: " + CONTROL_CHARACTERS));
            } else if (name.toLowerCase(Locale.ROOT).startsWith("x-delay-")) {
                errors.add(new FieldError("headers." + name, "the x-delay- prefix is reserved"));
            } else if (h.getValue() == null) {
                errors.add(new FieldError("headers." + name, "must not be null"));
            } else if (h.getValue().length() > MAX_HEADER_VALUE_CHARS) {
                errors.add(new FieldError("headers." + name, "must be at most " + MAX_HEADER_VALUE_CHARS + " characters"));
            } else if (hasControlCharacter(h.getValue())) {
                errors.add(new FieldError("headers." + name, CONTROL_CHARACTERS));
            } else {
                encodedBytes += jsonStringBytes(name) + jsonStringBytes(h.getValue()) + 2; // : and ,
            }
        }
        if (errors.isEmpty() && encodedBytes > MAX_HEADERS_BYTES) {
            errors.add(new FieldError("headers", "must encode to at most " + MAX_HEADERS_BYTES + " bytes of JSON, had "
                    + encodedBytes));
        }
    }

    private static final String CONTROL_CHARACTERS = "must not contain control characters (U+0000-U+001F, U+007F)";

    /** Whether a string holds NUL, CR, LF or another C0 control character, or DEL. */
    static boolean hasControlCharacter(String s) {
        if (s == null) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7F) {
                return true;
            }
        }
        return false;
    }

    /** UTF-8 bytes of a control-free string as a JSON string: quotes, and a backslash before {@code "} and {@code \}. */
    private static long jsonStringBytes(String s) {
        long escapes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                escapes++;
            }
        }
        return utf8Length(s) + escapes + 2;
    }

    static int utf8Length(String s) {
        if (s == null) {
            return 0;
        }
        int bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }
}
