package io.hourglass.bootstrap.e2e;

import io.hourglass.bootstrap.e2e.HostileAnswers.Endpoint;
import io.hourglass.bootstrap.e2e.HostileInputs.Body;
import io.hourglass.bootstrap.e2e.HostileInputs.BodyKind;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.lifecycle.BeforeProperty;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static io.hourglass.bootstrap.e2e.HostileServer.APP;
import static io.hourglass.bootstrap.e2e.HostileServer.SECRET;
import static io.hourglass.bootstrap.e2e.HostileServer.utf8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hostile-input suite of issue 12, black-box against the packaged standalone server ({@link HostileServer},
 * {@code -Xmx512m}): what a careless or malicious client can send never earns a 500, a reset connection, a stored
 * message or a heap that stays grown.
 *
 * <ul>
 *   <li>Properties (jqwik, a few hundred tries each): random and broken bodies, headers, credentials and ids on
 *       every REST endpoint and both seed endpoints, with and without valid credentials.</li>
 *   <li>Named attacks (Jupiter, in order): a 20 M-character string, an array bomb, 250 trickling bodies, a flood of
 *       large unknown app keys, full-size batches in parallel; then the live heap against its baseline.</li>
 * </ul>
 * Each one counts the app's messages before and after (admin API): bad input changes nothing.
 * The expected answers are the server-side contract of issue 12 (request-too-large, request-timeout,
 * auth-throttled, overloaded) on top of docs/api.md.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileInputIT {

    private static final String[] VALID = {"X-App-Key", APP, "X-App-Secret", SECRET};
    private static final Duration PROPERTY_TIMEOUT = Duration.ofSeconds(30);

    static HostileServer server;

    // ---- lifecycle: one server for both engines ------------------------------------------------------------------

    @BeforeAll
    static void startForJupiter() throws Exception {
        server = HostileServer.get();
    }

    @BeforeContainer
    static void startForJqwik() throws Exception {
        server = HostileServer.get();
    }

    @AfterContainer
    static void propertiesLeaveTheHeapAsTheyFoundIt() throws Exception {
        server.assertRecovered("the properties");
    }

    /** Per property: the messages it was told were created, and the count before it. */
    private final Set<String> created = ConcurrentHashMap.newKeySet();
    private long countBefore;

    @BeforeProperty
    void recordCountBefore() {
        countBefore = server.messageCount();
    }

    @AfterProperty
    void nothingButTheAcknowledgedMessagesWasStored() {
        assertThat(server.messageCount()).as("messages of app demo: %d before, %d acknowledged by 2xx answers",
                countBefore, created.size()).isEqualTo(countBefore + created.size());
    }

    // ---- properties -----------------------------------------------------------------------------------------------

    /** A request case: where, what, and the headers around it. */
    record Case(Endpoint endpoint, String id, Body body, Credentials credentials, String contentType,
                String idempotencyKey, LengthLie length) {

        RawHttp.Request request() {
            List<String[]> h = new ArrayList<>();
            String target = endpoint.target(id);
            switch (credentials) {
                case VALID -> {
                    h.add(new String[]{"X-App-Key", APP});
                    h.add(new String[]{"X-App-Secret", SECRET});
                }
                case SEED_QUERY_APP_KEY -> {
                    target += (target.contains("?") ? "&" : "?") + "appKey=" + APP;
                    h.add(new String[]{"X-App-Secret", SECRET});
                }
                default -> h.addAll(credentials.headers(new Random(id.hashCode() * 31L + body.bytes().length)));
            }
            if (contentType != null) {
                h.add(new String[]{"Content-Type", contentType});
            }
            if (idempotencyKey != null) {
                h.add(new String[]{"Idempotency-Key", idempotencyKey});
            }
            length.headers(body.bytes().length).forEach(h::add);
            return new RawHttp.Request(endpoint.method, target, h, body.bytes(), false);
        }

        boolean rejectableTarget() {
            String t = id.toUpperCase(java.util.Locale.ROOT);
            return t.matches(".*%(25|3B|2F|5C|0[0-9A-F]|1[0-9A-F]|7F).*");
        }

        boolean authenticated() {
            return credentials == Credentials.VALID || (credentials == Credentials.SEED_QUERY_APP_KEY && endpoint.seed());
        }
    }

    /** Ways to present (or fail to present) the credentials of app demo. */
    enum Credentials {
        VALID, SEED_QUERY_APP_KEY, NONE, KEY_ONLY, SECRET_ONLY, WRONG_SECRET, UNKNOWN_KEY, LONG_KEY, EMPTY,
        KEY_WITH_TAB, OBS_TEXT_KEY, BODY_APP_KEY_ONLY;

        /** The headers (random parts drawn from {@code r}, so that a case always sends the same). */
        List<String[]> headers(Random r) {
            return switch (this) {
                case NONE, VALID, SEED_QUERY_APP_KEY -> List.of();
                case KEY_ONLY -> List.<String[]>of(new String[]{"X-App-Key", APP});
                // the seed templates carry "appKey":"demo" half the time: a body is no longer a credential
                case SECRET_ONLY, BODY_APP_KEY_ONLY -> List.<String[]>of(new String[]{"X-App-Secret", SECRET});
                case WRONG_SECRET -> pair(APP, SECRET + "x");
                case UNKNOWN_KEY -> pair("k" + Long.toString(r.nextLong() & Long.MAX_VALUE, 36), SECRET);
                case LONG_KEY -> pair(APP + "x".repeat(60 + r.nextInt(3_000)), SECRET);
                case EMPTY -> pair("", "");
                case KEY_WITH_TAB -> pair("de\tmo", SECRET);
                case OBS_TEXT_KEY -> pair("d\u00e9mo\u00ff", SECRET);
            };
        }

        private static List<String[]> pair(String key, String secret) {
            return List.of(new String[]{"X-App-Key", key}, new String[]{"X-App-Secret", secret});
        }
    }

    /** The Content-Length header: true, or one of the lies a broken client or a smuggling attempt tells. */
    enum LengthLie {
        TRUE, SHORTER, NOT_A_NUMBER, NEGATIVE, TWO_DIFFERENT, WITH_CHUNKED, OVER_ANY_CAP;

        List<String[]> headers(int actual) {
            return switch (this) {
                case TRUE -> List.<String[]>of(new String[]{"Content-Length", Integer.toString(actual)});
                case SHORTER -> List.<String[]>of(new String[]{"Content-Length", Integer.toString(actual / 2)});
                case NOT_A_NUMBER -> List.<String[]>of(new String[]{"Content-Length", "12abc"});
                case NEGATIVE -> List.<String[]>of(new String[]{"Content-Length", "-1"});
                case TWO_DIFFERENT -> List.of(new String[]{"Content-Length", Integer.toString(actual)},
                        new String[]{"Content-Length", Integer.toString(actual + 7)});
                case WITH_CHUNKED -> List.of(new String[]{"Content-Length", Integer.toString(actual)},
                        new String[]{"Transfer-Encoding", "chunked"});
                case OVER_ANY_CAP -> List.<String[]>of(new String[]{"Content-Length", "1099511627776"}); // 1 TiB
            };
        }

        /** Framing no HTTP/1.1 server may accept (RFC 9112 6.3): the container may refuse it before the app. */
        boolean breaksHttp() {
            return this == NOT_A_NUMBER || this == NEGATIVE || this == TWO_DIFFERENT || this == WITH_CHUNKED;
        }
    }

    @Provide
    Arbitrary<Case> validCredentialsAnyBody() {
        // the appKey query parameter is a credential of the seed endpoints only
        return cases(Arbitraries.of(Credentials.VALID, Credentials.SEED_QUERY_APP_KEY), Arbitraries.just(LengthLie.TRUE),
                Arbitraries.just((String) null)).map(c -> c.authenticated() ? c : new Case(c.endpoint(), c.id(), c.body(),
                Credentials.VALID, c.contentType(), c.idempotencyKey(), c.length()));
    }

    @Provide
    Arbitrary<Case> invalidCredentialsAnyBody() {
        return cases(Arbitraries.of(Credentials.class).filter(c -> c != Credentials.VALID && c != Credentials.SEED_QUERY_APP_KEY),
                Arbitraries.just(LengthLie.TRUE), Arbitraries.just((String) null));
    }

    @Provide
    Arbitrary<Case> anyHeaders() {
        Arbitrary<String> idempotency = Arbitraries.oneOf(
                Arbitraries.just((String) null),
                Arbitraries.strings().withCharRange(' ', '~').ofMinLength(1).ofMaxLength(128),
                Arbitraries.strings().ascii().ofMinLength(129).ofMaxLength(2_000).map(s -> s.replaceAll("[\\x00-\\x1f\\x7f]", "x")),
                Arbitraries.of("", "a\tb", "\u00e9t\u00e9", "k\u007f", " padded "));
        return cases(Arbitraries.of(Credentials.class), Arbitraries.of(LengthLie.TRUE, LengthLie.SHORTER, LengthLie.OVER_ANY_CAP),
                idempotency);
    }

    @Provide
    Arbitrary<Case> brokenFraming() {
        return cases(Arbitraries.of(Credentials.VALID, Credentials.NONE, Credentials.WRONG_SECRET),
                Arbitraries.of(LengthLie.class).filter(LengthLie::breaksHttp), Arbitraries.just((String) null));
    }

    /**
     * Content-Length lies no HTTP/1.1 server may accept (not a number, negative, two different, beside chunked): a
     * 400 before anything else, with a problem+json body like every other error of the API.
     */
    @Property(tries = 100)
    void brokenFraming_isA400Problem(@ForAll("brokenFraming") Case c) throws Exception {
        check(c, false);
    }

    private static Arbitrary<Case> cases(Arbitrary<Credentials> credentials, Arbitrary<LengthLie> lengths,
                                         Arbitrary<String> idempotency) {
        Arbitrary<String> contentTypes = Arbitraries.oneOf(Arbitraries.just((String) null), Arbitraries.of(
                "application/json", "application/json;charset=UTF-8", "application/json; charset=ISO-8859-1",
                "application/json;charset=bogus", "text/plain", "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=xyz", "application/merge-patch+json", "*/*", "", "application/",
                "app/json;;;=", "application/json; charset=\"utf-8\"; x=" + "y".repeat(500)));
        // plain ids here: hostile ids are randomIds_areUnknownOrInvalid's, so that one finding does not hide another
        Arbitrary<String> plainIds = Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(30);
        return HostileInputs.endpoints().flatMap(endpoint -> Combinators.combine(
                plainIds, HostileInputs.bodies(endpoint), credentials, contentTypes,
                idempotency, lengths, Arbitraries.integers().between(0, 3)).as(
                (id, body, cred, type, key, length, typeChoice) -> new Case(endpoint, id, body, cred,
                        typeChoice == 0 ? type : body.contentType(), key, length)));
    }

    @Property(tries = 400)
    void anyBodyWithValidCredentials_isAnsweredByTheContract(@ForAll("validCredentialsAnyBody") Case c) throws Exception {
        check(c, c.endpoint() != Endpoint.GET && c.endpoint() != Endpoint.CANCEL
                && c.endpoint() != Endpoint.RETIME && c.endpoint() != Endpoint.SEED_CANCEL);
    }

    @Property(tries = 300)
    void anyBodyWithoutValidCredentials_is401(@ForAll("invalidCredentialsAnyBody") Case c) throws Exception {
        check(c, false);
    }

    @Property(tries = 400)
    void anyHeaders_areAnsweredByTheContract(@ForAll("anyHeaders") Case c) throws Exception {
        RawHttp.Answer a = check(c, c.endpoint() == Endpoint.SUBMIT || c.endpoint() == Endpoint.BATCH
                || c.endpoint() == Endpoint.SEED_SEND);
        String key = c.idempotencyKey();
        boolean badKey = key != null && (key.isEmpty() || key.length() > 128 || key.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7F));
        if (badKey && c.authenticated() && !c.length().breaksHttp() && !c.endpoint().seed()
                && (c.endpoint() == Endpoint.SUBMIT || c.endpoint() == Endpoint.BATCH)) {
            assertThat(a.status()).as("Idempotency-Key '%s' (docs: 1-128 chars, no control characters): %s -> %s",
                    RawHttp.escape(key), c.request().summary(), a).isIn(400, 401, 413, 415, 429, 503);
        }
    }

    @Provide
    Arbitrary<Case> randomIds() {
        Arbitrary<Endpoint> idEndpoints = Arbitraries.of(Endpoint.GET, Endpoint.CANCEL, Endpoint.RETIME, Endpoint.SEED_CANCEL);
        return Combinators.combine(idEndpoints, HostileInputs.ids(), Arbitraries.of(Credentials.VALID, Credentials.VALID,
                Credentials.SEED_QUERY_APP_KEY, Credentials.NONE, Credentials.WRONG_SECRET), Arbitraries.integers().between(0, 2))
                .as((endpoint, id, cred, form) -> {
                    Body body = switch (endpoint) {
                        case RETIME -> new Body(BodyKind.NEAR_VALID, utf8("{\"delayMs\":60000}"), "application/json");
                        case SEED_CANCEL -> form == 0
                                ? new Body(BodyKind.FORM, utf8("messageId=" + id), "application/x-www-form-urlencoded")
                                : new Body(BodyKind.NEAR_VALID, utf8("{\"messageId\":"
                                + HostileInputs.write(java.net.URLDecoder.decode(id, StandardCharsets.UTF_8)) + "}"), "application/json");
                        default -> new Body(BodyKind.EMPTY, new byte[0], "application/json");
                    };
                    return new Case(endpoint, id, body, cred, body.contentType(), null, LengthLie.TRUE);
                });
    }

    @Property(tries = 300)
    void randomIds_areUnknownOrInvalid(@ForAll("randomIds") Case c) throws Exception {
        RawHttp.Answer a = check(c, false);
        if (c.authenticated()) {
            assertThat(a.status()).as("a random id: %s -> %s", c.request().summary(), a).isIn(400, 404, 429, 503);
        }
    }

    @Provide
    Arbitrary<Case> controlCharacters() {
        return Combinators.combine(Arbitraries.of(Endpoint.SUBMIT, Endpoint.BATCH), Arbitraries.integers().between(0, 0x20),
                Arbitraries.of("key", "headerName", "headerValue")).as((endpoint, c, where) -> {
                    String ctl = String.valueOf((char) (c == 0x20 ? 0x7F : c));
                        Map<String, Object> m = new TreeMap<String, Object>(Map.of("topic", "demo", "payload", "p", "delayMs", 3_600_000));
                    switch (where) {
                        case "key" -> m.put("key", "order" + ctl + "42");
                        case "headerName" -> m.put("headers", Map.of("ten" + ctl + "ant", "acme"));
                        default -> m.put("headers", Map.of("tenant", "ac" + ctl + "me"));
                    }
                    Object body = endpoint == Endpoint.BATCH ? Map.of("messages", List.of(m)) : m;
                    return new Case(endpoint, "", new Body(BodyKind.CONTROL_CHARS, utf8(HostileInputs.write(body)),
                            "application/json"), Credentials.VALID, "application/json", null, LengthLie.TRUE);
                });
    }

    /** Plan item 7: a control character in a message key, header name or value is a 400, for a batch entry too. */
    @Property(tries = 200)
    void controlCharactersInKeyAndHeaders_are400(@ForAll("controlCharacters") Case c) throws Exception {
        RawHttp.Answer a = check(c, true);
        if (c.endpoint() == Endpoint.SUBMIT) {
            assertThat(a.status()).as("%s -> %s", c.request().summary(), a).isEqualTo(400);
            assertThat(a.text()).contains("validation-failed");
        } else if (a.status() == 200) {
            assertThat(RestClient.JSON.readTree(a.body()).get("results").get(0).path("error").path("type").asText())
                    .as("the batch entry: %s -> %s", c.request().summary(), a).endsWith("/validation-failed");
        } else {
            assertThat(a.status()).as("%s -> %s", c.request().summary(), a).isEqualTo(400);
        }
    }

    /** Sends the case from a client address of its own and checks the answer against the contract. */
    private RawHttp.Answer check(Case c, boolean mayCreate) throws Exception {
        RawHttp.Request request = c.request();
        RawHttp.Answer a;
        try {
            a = RawHttp.exchange(server.port, HostileServer.freshClient(), request, PROPERTY_TIMEOUT);
        } catch (RawHttp.NoAnswer e) {
            boolean healthy = server.healthyWithin(Duration.ofSeconds(5));
            throw new AssertionError("no answer (" + e.getMessage() + ") while the server is "
                    + (healthy ? "healthy" : "NOT healthy") + ": " + request.summary(), e);
        }
        // a control character other than HTAB in a header value is not HTTP/1.1 (RFC 9110 5.5): the container
        // refuses the request head, ahead of any authentication, with a 400 problem
        String key = c.idempotencyKey();
        boolean illegalHeader = key != null && key.chars().anyMatch(ch -> (ch < 0x20 && ch != '\t') || ch == 0x7F);
        List<String> violations = new ArrayList<>(HostileAnswers.violations(c.endpoint(), c.authenticated(), mayCreate,
                c.length().breaksHttp() || illegalHeader, a));
        if (a.status() == 400 && a.text().contains("/bad-request") && c.rejectableTarget()) {
            // a request target with an encoded '%', ';', '/', '\\' or control character is malformed before it
            // is a call of the API: the URL firewall may refuse it ahead of authentication
            violations.removeIf(v -> v.contains("without valid credentials"));
        }
        assertThat(violations).as("%s\n  -> %s", request.summary(), a).isEmpty();
        created.addAll(HostileAnswers.createdIds(c.endpoint(), a));
        return a;
    }

    // ---- named attacks --------------------------------------------------------------------------------------------

    private static String[] json(String... more) {
        List<String> h = new ArrayList<>(List.of(VALID));
        h.add("Content-Type");
        h.add("application/json");
        h.addAll(List.of(more));
        return h.toArray(String[]::new);
    }

    private static void assertAnswer(SoftAssertions softly, Endpoint endpoint, RawHttp.Request request, RawHttp.Answer a, int status, String... types) {
        softly.assertThat(HostileAnswers.violations(endpoint, true, false, false, a)).as("%s -> %s", request.summary(), a).isEmpty();
        softly.assertThat(a.status()).as("%s -> %s", request.summary(), a).isEqualTo(status);
        if (!endpoint.seed() && types.length > 0) {
            softly.assertThat(a.text()).as("%s -> %s", request.summary(), a).containsAnyOf(types);
        }
    }

    @Test
    @Order(1)
    @Timeout(180)
    void twentyMillionCharacterString_is413RequestTooLarge_andStoresNothing() throws Exception {
        SoftAssertions softly = new SoftAssertions(); // every broken promise of the attack, not just the first
        long before = server.messageCount();
        String huge = "a".repeat(20_000_000);
        String submit = "{\"topic\":\"demo\",\"payload\":\"" + huge + "\",\"delayMs\":3600000}";
        InetAddress from = HostileServer.freshClient();

        RawHttp.Request r = RawHttp.Request.of("POST", "/api/v1/messages", utf8(submit), json());
        assertAnswer(softly, Endpoint.SUBMIT, r, server.send(from, r), 413, "request-too-large");

        RawHttp.Request chunked = new RawHttp.Request("POST", "/api/v1/messages",
                List.of(new String[]{"X-App-Key", APP}, new String[]{"X-App-Secret", SECRET},
                        new String[]{"Content-Type", "application/json"}), utf8(submit), true);
        assertAnswer(softly, Endpoint.SUBMIT, chunked, server.send(from, chunked), 413, "request-too-large");

        RawHttp.Request batch = RawHttp.Request.of("POST", "/api/v1/messages/batch",
                utf8("{\"messages\":[" + submit + "]}"), json());
        assertAnswer(softly, Endpoint.BATCH, batch, server.send(from, batch), 413, "request-too-large");

        RawHttp.Request seedJson = RawHttp.Request.of("POST", "/delay/sendDelayMsg", utf8("{\"topic\":\"demo\",\"message\":\""
                + huge + "\",\"execTime\":" + (System.currentTimeMillis() + 3_600_000) + "}"), json());
        assertAnswer(softly, Endpoint.SEED_SEND, seedJson, server.send(from, seedJson), 413);

        RawHttp.Request seedForm = RawHttp.Request.of("POST", "/delay/sendDelayMsg", utf8("topic=demo&execTime="
                + (System.currentTimeMillis() + 3_600_000) + "&message=" + huge), VALID[0], VALID[1], VALID[2], VALID[3],
                "Content-Type", "application/x-www-form-urlencoded");
        assertAnswer(softly, Endpoint.SEED_SEND, seedForm, server.send(from, seedForm), 413);

        // under the batch cap (16 MiB) but over Jackson's 1,000,000-character string limit: refused, not parsed
        RawHttp.Request fiveMillion = RawHttp.Request.of("POST", "/api/v1/messages/batch", utf8("{\"messages\":[{\"topic\":\"demo\","
                + "\"payload\":\"" + "b".repeat(5_000_000) + "\",\"delayMs\":3600000}]}"), json());
        RawHttp.Answer a = server.send(from, fiveMillion);
        softly.assertThat(HostileAnswers.violations(Endpoint.BATCH, true, false, false, a)).as("%s -> %s", fiveMillion.summary(), a).isEmpty();
        softly.assertThat(a.status()).as("a 5 M-character string in a batch: %s", a).isIn(400, 413);

        // no credentials: 401, whatever follows the headers
        RawHttp.Request anonymous = RawHttp.Request.of("POST", "/api/v1/messages", utf8(submit), "Content-Type", "application/json");
        RawHttp.Answer unauth = server.send(HostileServer.freshClient(), anonymous);
        softly.assertThat(HostileAnswers.violations(Endpoint.SUBMIT, false, false, false, unauth)).as("%s", unauth).isEmpty();
        softly.assertThat(unauth.status()).isEqualTo(401);

        softly.assertThat(server.messageCount()).as("messages after the 20 M-character strings").isEqualTo(before);
        softly.assertAll();
    }

    @Test
    @Order(2)
    @Timeout(180)
    void arrayBomb_ofMillionsOfEntries_isRefusedWithoutBeingBuilt() throws Exception {
        SoftAssertions softly = new SoftAssertions(); // every broken promise of the attack, not just the first
        long before = server.messageCount();
        InetAddress from = HostileServer.freshClient();
        // 3 M entries, 9 MB: under the batch cap, so the entry count (max 1000) must refuse it
        RawHttp.Request three = RawHttp.Request.of("POST", "/api/v1/messages/batch", arrayBomb(3_000_000), json());
        RawHttp.Answer a = server.send(from, three);
        softly.assertThat(HostileAnswers.violations(Endpoint.BATCH, true, false, false, a)).as("%s -> %s", three.summary(), a).isEmpty();
        softly.assertThat(a.status()).as("3 M empty batch entries -> %s", a).isIn(400, 413);
        // 6 M entries, 18 MB: over the 16 MiB batch cap
        RawHttp.Request six = RawHttp.Request.of("POST", "/api/v1/messages/batch", arrayBomb(6_000_000), json());
        assertAnswer(softly, Endpoint.BATCH, six, server.send(from, six), 413, "request-too-large");
        // the same bomb where a single submit is expected: over the 1 MiB body cap
        RawHttp.Request single = RawHttp.Request.of("POST", "/api/v1/messages", arrayBomb(1_000_000), json());
        assertAnswer(softly, Endpoint.SUBMIT, single, server.send(from, single), 413, "request-too-large");
        // nesting far deeper than 64, inside the 1 MiB cap
        RawHttp.Request deep = RawHttp.Request.of("POST", "/api/v1/messages",
                utf8("{\"topic\":\"demo\",\"payload\":\"p\",\"delayMs\":1000,\"x\":" + "[".repeat(400_000) + "]".repeat(400_000) + "}"), json());
        a = server.send(from, deep);
        assertAnswer(softly, Endpoint.SUBMIT, deep, a, 400);

        softly.assertThat(server.messageCount()).as("messages after the array bombs").isEqualTo(before);
        softly.assertAll();
    }

    private static byte[] arrayBomb(int entries) {
        StringBuilder s = new StringBuilder(entries * 3 + 20).append("{\"messages\":[");
        for (int i = 0; i < entries; i++) {
            s.append(i == 0 ? "{}" : ",{}");
        }
        return utf8(s.append("]}").toString());
    }

    /**
     * Large unknown app keys, thousands of times: 401 until the per-address limit (20 failures in 10 s), then 429
     * auth-throttled with Retry-After, right credentials included; other addresses are not affected.
     */
    @Test
    @Order(3)
    @Timeout(240)
    void unauthenticatedFloodOfLargeKeys_is401Then429_perClientAddress() throws Exception {
        SoftAssertions softly = new SoftAssertions(); // every broken promise of the attack, not just the first
        long before = server.messageCount();
        InetAddress flooder = HostileServer.freshClient();
        byte[] body = utf8("{\"topic\":\"demo\",\"payload\":\"p\",\"delayMs\":3600000}");
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        List<String> violations = java.util.Collections.synchronizedList(new ArrayList<>());
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 1_000; i++) {
                        // 6 KB: large, yet under the container's 8 KB limit of a request head, so the app decides
                        RawHttp.Request r = RawHttp.Request.of("POST", "/api/v1/messages", body, "X-App-Key", randomKey(6_000),
                                "X-App-Secret", randomKey(40), "Content-Type", "application/json");
                        RawHttp.Answer a = server.send(flooder, r);
                        statuses.computeIfAbsent(a.status(), s -> new AtomicInteger()).incrementAndGet();
                        List<String> v = HostileAnswers.violations(Endpoint.SUBMIT, false, false, false, a);
                        if (a.status() == 429 && !a.text().contains("auth-throttled")) {
                            v = new ArrayList<>(v);
                            v.add("429 of another type than auth-throttled");
                        }
                        if (!v.isEmpty() && violations.size() < 5) {
                            violations.add(v + ": " + a);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        double windows = Math.ceil((System.nanoTime() - start) / 10e9) + 1;
        softly.assertThat(violations).as("answers to 4000 unknown 6 KB keys from one address; statuses %s", statuses).isEmpty();
        softly.assertThat(statuses.getOrDefault(401, new AtomicInteger()).get())
                .as("401s at most 20 per 10 s window from one address; statuses %s", statuses)
                .isLessThanOrEqualTo((int) (20 * windows));
        // still inside the window: right credentials from the same address are throttled too
        RawHttp.Request valid = RawHttp.Request.of("POST", "/api/v1/messages", body, json());
        RawHttp.Answer throttled = server.send(flooder, valid);
        softly.assertThat(throttled.status()).as("right credentials from a throttled address: %s", throttled).isEqualTo(429);
        softly.assertThat(throttled.header("Retry-After")).isPresent();

        // one failure each from 1500 other addresses: none of them is throttled
        Map<Integer, AtomicInteger> spread = new ConcurrentHashMap<>();
        for (int i = 0; i < 1_500; i++) {
            RawHttp.Answer a = server.send(HostileServer.freshClient(), RawHttp.Request.of("GET", "/api/v1/messages/x", null,
                    "X-App-Key", randomKey(6_000), "X-App-Secret", "s"));
            spread.computeIfAbsent(a.status(), s -> new AtomicInteger()).incrementAndGet();
        }
        softly.assertThat(spread.keySet()).as("one unknown key from each of 1500 addresses: %s", spread).containsOnly(401);

        // keys over the container's request-head limit: refused, never a server error
        Map<Integer, AtomicInteger> oversized = new ConcurrentHashMap<>();
        for (int i = 0; i < 200; i++) {
            RawHttp.Answer a = server.send(HostileServer.freshClient(), RawHttp.Request.of("POST", "/api/v1/messages", body,
                    "X-App-Key", randomKey(10_240), "X-App-Secret", "s", "Content-Type", "application/json"));
            oversized.computeIfAbsent(a.status(), s -> new AtomicInteger()).incrementAndGet();
        }
        softly.assertThat(oversized.keySet()).as("10 KB keys: %s", oversized).allMatch(s -> s >= 400 && s < 500);

        // a fresh client with the right credentials is served
        RawHttp.Answer ok = server.send(HostileServer.freshClient(), valid);
        softly.assertThat(ok.status()).as("%s", ok).isEqualTo(201);
        long admitted = throttled.status() == 201 ? 1 : 0; // a server without the throttle stored that one too
        softly.assertThat(server.messageCount()).as("messages after the flood").isEqualTo(before + 1 + admitted);
        softly.assertAll();
    }

    private static String randomKey(int length) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        char[] c = new char[length];
        for (int i = 0; i < length; i++) {
            c[i] = (char) ('a' + r.nextInt(26));
        }
        return new String(c);
    }

    /**
     * 250 connections trickle a body a byte a second: each is answered 408 request-timeout after the body-read
     * timeout (10 s), and {@code /actuator/health} answers within a second all along.
     */
    @Test
    @Order(4)
    @Timeout(180)
    void slowBodies_get408_whileHealthKeepsAnswering() throws Exception {
        SoftAssertions softly = new SoftAssertions(); // every broken promise of the attack, not just the first
        long before = server.messageCount();
        int connections = 250;
        Duration bodyReadTimeout = Duration.ofSeconds(10);
        Duration margin = Duration.ofSeconds(15);
        byte[] body = utf8("{\"topic\":\"demo\",\"payload\":\"" + "s".repeat(150) + "\",\"delayMs\":3600000}");
        List<Socket> sockets = new ArrayList<>();
        Map<Integer, RawHttp.Answer> answers = new ConcurrentHashMap<>();
        Map<Integer, String> failures = new ConcurrentHashMap<>();
        AtomicLong slowestHealthMs = new AtomicLong();
        AtomicInteger healthFailures = new AtomicInteger();
        AtomicInteger healthChecks = new AtomicInteger();
        Thread health = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                long t0 = System.nanoTime();
                boolean ok = server.healthyWithin(Duration.ofSeconds(1));
                long ms = (System.nanoTime() - t0) / 1_000_000;
                healthChecks.incrementAndGet();
                slowestHealthMs.accumulateAndGet(ms, Math::max);
                if (!ok || ms > 1_000) {
                    healthFailures.incrementAndGet();
                }
                try {
                    Thread.sleep(250); // a probe's period, not a wait for a condition
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "health-probe");
        try {
            for (int i = 0; i < connections; i++) {
                Socket s = RawHttp.open(server.port, null, Duration.ofSeconds(5));
                RawHttp.Request r = RawHttp.Request.of("POST", "/api/v1/messages", body, json());
                s.getOutputStream().write(r.head());
                s.getOutputStream().flush();
                sockets.add(s);
            }
            health.start();
            long deadline = System.nanoTime() + bodyReadTimeout.plus(margin).toNanos();
            int sent = 0;
            while (System.nanoTime() < deadline && answers.size() + failures.size() < connections) {
                for (int i = 0; i < connections; i++) {
                    if (answers.containsKey(i) || failures.containsKey(i)) {
                        continue;
                    }
                    Socket s = sockets.get(i);
                    InputStream in = s.getInputStream();
                    try {
                        if (in.available() > 0) {
                            answers.put(i, RawHttp.read(in));
                            continue;
                        }
                        OutputStream out = s.getOutputStream();
                        out.write(body[Math.min(sent, body.length - 2)]); // never the last byte: never complete
                        out.flush();
                    } catch (IOException e) {
                        try { // the server may have answered and closed between the check and the write
                            answers.put(i, RawHttp.read(in));
                        } catch (IOException again) {
                            failures.put(i, again.toString());
                        }
                    }
                }
                sent++;
                Thread.sleep(1_000); // the trickle's pace: one byte per connection per second
            }
        } finally {
            health.interrupt();
            health.join(5_000);
            for (Socket s : sockets) {
                s.close();
            }
        }
        Map<Integer, AtomicInteger> statuses = new TreeMap<>();
        answers.values().forEach(a -> statuses.computeIfAbsent(a.status(), k -> new AtomicInteger()).incrementAndGet());
        List<String> wrong = answers.values().stream()
                .filter(a -> a.status() != 408 || !HostileAnswers.violations(Endpoint.SUBMIT, true, false, false, a).isEmpty())
                .limit(3).map(RawHttp.Answer::toString).toList();
        softly.assertThat(healthFailures.get()).as("health probes slower than 1 s or failed, of %d (slowest %d ms)",
                healthChecks.get(), slowestHealthMs.get()).isZero();
        softly.assertThat(answers).as("answers within %s to %d trickling bodies: statuses %s, %d without answer (e.g. %s)",
                bodyReadTimeout.plus(margin), connections, statuses, connections - answers.size(),
                failures.values().stream().findFirst().orElse("still waiting")).hasSize(connections);
        softly.assertThat(wrong).as("answers other than 408 request-timeout problem+json").isEmpty();
        softly.assertThat(server.messageCount()).as("messages after the slow bodies").isEqualTo(before);
        softly.assertAll();
    }

    /**
     * Full-size batches (1000 entries of 11 KB) in parallel, more bytes than the in-flight budget: each is answered
     * 200 (each entry created or refused with its problem) or 503 overloaded with Retry-After, and exactly the
     * acknowledged messages are stored.
     */
    @Test
    @Order(5)
    @Timeout(300)
    void fullSizeBatchesInParallel_areAcceptedOrShedWith503() throws Exception {
        long before = server.messageCount();
        int parallel = 24;
        String payload = "z".repeat(11_000);
        StringBuilder s = new StringBuilder("{\"messages\":[");
        for (int i = 0; i < 1_000; i++) {
            s.append(i == 0 ? "" : ",").append("{\"topic\":\"demo\",\"key\":\"k").append(i).append("\",\"payload\":\"")
                    .append(payload).append("\",\"delayMs\":86400000}");
        }
        byte[] batch = utf8(s.append("]}").toString());
        Set<String> ids = ConcurrentHashMap.newKeySet();
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        List<String> violations = java.util.Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < parallel; t++) {
                futures.add(pool.submit(() -> {
                    RawHttp.Request r = RawHttp.Request.of("POST", "/api/v1/messages/batch", batch, json());
                    RawHttp.Answer a;
                    try {
                        a = RawHttp.exchange(server.port, HostileServer.freshClient(), r, Duration.ofSeconds(180));
                    } catch (RawHttp.NoAnswer e) {
                        violations.add("no answer: " + e.getMessage());
                        return null;
                    }
                    statuses.computeIfAbsent(a.status(), k -> new AtomicInteger()).incrementAndGet();
                    List<String> v = new ArrayList<>(HostileAnswers.violations(Endpoint.BATCH, true, true, false, a));
                    if (a.status() == 503 && !a.text().contains("overloaded")) {
                        v.add("503 of another type than overloaded");
                    } else if (a.status() != 200 && a.status() != 503) {
                        v.add("status " + a.status() + " (expected 200 or 503 overloaded)");
                    } else if (a.status() == 200) {
                        var results = RestClient.JSON.readTree(a.body()).get("results");
                        if (results.size() != 1_000) {
                            v.add(results.size() + " results for 1000 entries");
                        }
                        results.forEach(e -> {
                            if (!e.hasNonNull("id") && !e.path("error").path("type").asText().startsWith(HostileAnswers.PROBLEMS)) {
                                v.add("entry neither created nor refused with a problem: " + e);
                            }
                        });
                    }
                    if (!v.isEmpty()) {
                        violations.add(v + ": " + a);
                    }
                    ids.addAll(HostileAnswers.createdIds(Endpoint.BATCH, a));
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(violations).as("answers to %d parallel batches of 1000 x 11 KB: statuses %s", parallel, statuses).isEmpty();
        assertThat(server.messageCount()).as("messages: %d before, %d acknowledged", before, ids.size())
                .isEqualTo(before + ids.size());
    }

    @Test
    @Order(100)
    @Timeout(180)
    void afterTheAttacks_theLiveHeapIsBackToItsBaseline() throws Exception {
        server.assertRecovered("the named attacks");
    }
}
