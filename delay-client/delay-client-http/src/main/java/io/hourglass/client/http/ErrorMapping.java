package io.hourglass.client.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hourglass.client.api.DelayClientException;
import io.hourglass.client.api.Problem;

/**
 * Turns an error answer of the REST API into a typed {@link DelayClientException}: the body is read as an RFC 9457
 * problem; a body that is not one (a proxy's HTML page, an empty 502) still gives an exception of the status,
 * with the start of the body as its detail.
 */
final class ErrorMapping {

    private ErrorMapping() {
    }

    static DelayClientException toException(ObjectMapper json, int status, String body) {
        return DelayClientException.from(status, problem(json, status, body));
    }

    private static Problem problem(ObjectMapper json, int status, String body) {
        if (body != null && body.stripLeading().startsWith("{")) {
            try {
                Problem p = json.readValue(body, Problem.class);
                if (p.type() != null || p.detail() != null) {
                    return p;
                }
            } catch (JsonProcessingException e) {
                // not a problem document; fall through and keep the raw text
            }
        }
        String detail = body == null || body.isBlank() ? "HTTP " + status : HttpDelayClient.snippet(body);
        return new Problem(null, null, status, detail, null, null);
    }
}
