package io.hourglass.client.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * An RFC 9457 problem detail, as the API returns it for a failed call ({@code application/problem+json}) and
 * inline for a refused batch entry.
 *
 * @param type     stable URI naming the kind of error, {@code https://hourglass.dev/problems/{code}} (for example
 *                 {@code .../validation-failed}); branch on this, not on {@code title} or {@code detail}
 * @param title    short human-readable summary of the type
 * @param status   the HTTP status code of this kind of error
 * @param detail   human-readable explanation of this occurrence
 * @param instance the request path, on a response; absent on batch entries
 * @param errors   the invalid fields, when the error is about input; absent otherwise
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Problem(
        String type,
        String title,
        int status,
        String detail,
        String instance,
        List<FieldError> errors) {

    /** The URI prefix of every problem {@code type}. */
    public static final String TYPE_PREFIX = "https://hourglass.dev/problems/";

    /** The code at the end of {@link #type()}, such as {@code validation-failed}; {@code null} for foreign types. */
    @JsonIgnore
    public String code() {
        return type != null && type.startsWith(TYPE_PREFIX) ? type.substring(TYPE_PREFIX.length()) : null;
    }

    /**
     * One invalid input field and why.
     *
     * @param field  name (or JSON path, such as {@code messages[2].delayMs}) of the field
     * @param reason what is wrong with it
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record FieldError(String field, String reason) {
    }
}
