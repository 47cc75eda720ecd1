package io.hourglass.bootstrap.e2e;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What a hostile request may be answered with (issue 12, /tmp/hg/plan12.md, and docs/api.md): a 4xx, 429 or 503,
 * or the documented 2xx of valid input, never a 500; a problem+json body on the REST API and the
 * {@code errorCode} envelope on the seed endpoints; without valid credentials nothing but 401 (or 429/503), since
 * authentication comes before anything else.
 */
final class HostileAnswers {

    static final String PROBLEMS = "https://hourglass.dev/problems/";

    private HostileAnswers() {
    }

    /** Every endpoint of the public API that takes input. */
    enum Endpoint {
        SUBMIT("POST", "/api/v1/messages", Set.of(200, 201)),
        BATCH("POST", "/api/v1/messages/batch", Set.of(200)),
        GET("GET", "/api/v1/messages/", Set.of(200)),
        CANCEL("DELETE", "/api/v1/messages/", Set.of(200)),
        RETIME("PATCH", "/api/v1/messages/", Set.of(200)),
        SEED_SEND("POST", "/delay/sendDelayMsg", Set.of(200)),
        SEED_CANCEL("POST", "/delay/cancelDelayMsg", Set.of(200));

        final String method;
        final String path;
        final Set<Integer> success;

        Endpoint(String method, String path, Set<Integer> success) {
            this.method = method;
            this.path = path;
            this.success = success;
        }

        boolean seed() {
            return path.startsWith("/delay/");
        }

        boolean takesId() {
            return path.endsWith("/");
        }

        /** The request target; {@code id} is already percent-encoded. */
        String target(String id) {
            return takesId() ? path + id : path;
        }
    }

    /**
     * The violations of the contract in one answer (empty: acceptable).
     *
     * @param authenticated whether the request carried valid credentials
     * @param mayCreate     whether a 2xx is acceptable (valid input may succeed; a random id never exists)
     * @param brokenHttp    the request is not valid HTTP/1.1 framing (two Content-Lengths, a non-numeric one, an
     *                      illegal character in the request line): the container may answer a bare 400 before any
     *                      application code, so neither the body format nor the authentication order is checked
     */
    static List<String> violations(Endpoint endpoint, boolean authenticated, boolean mayCreate, boolean brokenHttp,
                                   RawHttp.Answer a) {
        List<String> v = new ArrayList<>();
        int status = a.status();
        if (status >= 500 && status != 503) {
            v.add("status " + status + " (a server error; only 503 overloaded/store-unavailable is acceptable)");
        } else if (status < 200 || (status >= 300 && status < 400)) {
            v.add("status " + status);
        } else if (status < 300 && (!mayCreate || !authenticated || !endpoint.success.contains(status))) {
            v.add("status " + status + " (success for input that " + (authenticated ? "is not valid" : "has no valid credentials") + ")");
        }
        if (brokenHttp) {
            if (status != 400 && status != 408 && status != 411 && status != 413 && status != 414 && status != 431
                    && status != 401 && status != 429 && status != 503) {
                v.add("status " + status + " for a request that is not valid HTTP/1.1 (expected 400)");
            }
            if (status >= 400) {
                v.addAll(bodyViolations(endpoint, a));
            }
            return v;
        }
        if (!authenticated && status != 401 && status != 429 && status != 503) {
            v.add("status " + status + " without valid credentials (authentication comes first: 401)");
        }
        if (status >= 400 || endpoint.seed()) {
            v.addAll(bodyViolations(endpoint, a));
        }
        return v;
    }

    private static List<String> bodyViolations(Endpoint endpoint, RawHttp.Answer a) {
        List<String> v = new ArrayList<>();
        int status = a.status();
        JsonNode body;
        try {
            body = a.body().length == 0 ? null : RestClient.JSON.readTree(a.body());
        } catch (IOException e) {
            body = null;
        }
        if (body == null || !body.isObject()) {
            v.add("body is not a JSON object");
            return v;
        }
        if (endpoint.seed()) {
            if (!a.contentType().startsWith("application/json")) {
                v.add("Content-Type " + a.contentType() + " (seed endpoints answer application/json)");
            }
            String expected = status == 200 ? "000000" : status + "001";
            if (!expected.equals(body.path("errorCode").asText())) {
                v.add("errorCode " + body.path("errorCode") + ", expected " + expected);
            }
            return v;
        }
        if (!a.contentType().startsWith("application/problem+json")) {
            v.add("Content-Type '" + a.contentType() + "' (expected application/problem+json)");
        }
        String type = body.path("type").asText("");
        if (!type.startsWith(PROBLEMS)) {
            v.add("problem type '" + type + "'");
        }
        if (body.path("status").asInt() != status) {
            v.add("problem status " + body.path("status") + " differs from the HTTP status");
        }
        String code = type.substring(Math.min(type.length(), PROBLEMS.length()));
        if (status == 401 && !code.equals("unauthenticated")) {
            v.add("401 of type " + code);
        }
        if (status == 413 && !code.equals("request-too-large") && !code.equals("payload-too-large")) {
            v.add("413 of type " + code);
        }
        if (status == 408 && !code.equals("request-timeout")) {
            v.add("408 of type " + code);
        }
        if ((status == 429 || code.equals("overloaded")) && a.header("Retry-After").isEmpty()) {
            v.add(status + " " + code + " without Retry-After");
        }
        return v;
    }

    /** The ids of the messages an acceptable answer says it created. */
    static List<String> createdIds(Endpoint endpoint, RawHttp.Answer a) throws IOException {
        List<String> ids = new ArrayList<>();
        if (a.status() / 100 != 2) {
            return ids;
        }
        JsonNode body = RestClient.JSON.readTree(a.body());
        switch (endpoint) {
            case SUBMIT -> ids.add(body.get("id").asText());
            case BATCH -> body.get("results").forEach(r -> {
                if (r.hasNonNull("id")) {
                    ids.add(r.get("id").asText());
                }
            });
            case SEED_SEND -> ids.add(body.get("content").get("messageId").asText());
            default -> {
            }
        }
        return ids;
    }
}
