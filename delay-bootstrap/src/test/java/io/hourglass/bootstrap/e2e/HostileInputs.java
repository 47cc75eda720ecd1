package io.hourglass.bootstrap.e2e;

import io.hourglass.bootstrap.e2e.HostileAnswers.Endpoint;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Generators of hostile input for {@link HostileInputIT}: bodies (random bytes, truncated and deeply nested JSON,
 * wrong types, huge numbers, unicode, control characters, forms), credentials, headers and ids. Bodies are built
 * from a valid body of the endpoint, then broken, so that most of them get past the first check and reach the
 * deeper ones.
 */
final class HostileInputs {

    private HostileInputs() {
    }

    /** A piece of JSON written as is (a number too large for any type, an unpaired surrogate escape, ...). */
    record Raw(String json) {
    }

    enum BodyKind { RANDOM_BYTES, TRUNCATED_JSON, DEEP_NESTING, WRONG_TYPES, HUGE_NUMBERS, UNICODE, CONTROL_CHARS,
        NEAR_VALID, FORM, EMPTY }

    /** A body and the Content-Type it is meant for. */
    record Body(BodyKind kind, byte[] bytes, String contentType) {
        @Override
        public String toString() {
            return kind + " (" + contentType + "): " + RawHttp.abbreviate(RawHttp.escape(new String(bytes, StandardCharsets.UTF_8)), 300);
        }
    }

    static Arbitrary<Endpoint> endpoints() {
        return Arbitraries.of(Endpoint.class);
    }

    static Arbitrary<Body> bodies(Endpoint endpoint) {
        return Arbitraries.of(BodyKind.class).flatMap(kind ->
                Arbitraries.randomValue(random -> body(endpoint, kind, random)).withoutEdgeCases());
    }

    static Body body(Endpoint e, BodyKind kind, Random r) {
        String json = "application/json";
        return switch (kind) {
            case RANDOM_BYTES -> {
                byte[] b = new byte[r.nextInt(4_000)];
                r.nextBytes(b);
                yield new Body(kind, b, json);
            }
            case TRUNCATED_JSON -> {
                String s = write(template(e, r));
                yield new Body(kind, HostileServer.utf8(s.substring(0, r.nextInt(Math.max(1, s.length())))), json);
            }
            case DEEP_NESTING -> {
                int depth = 10 + r.nextInt(r.nextBoolean() ? 100 : 20_000);
                String open = r.nextBoolean() ? "[" : "{\"a\":";
                String close = open.equals("[") ? "]" : "}";
                String nested = open.repeat(depth) + "1" + close.repeat(r.nextInt(4) == 0 ? depth / 2 : depth);
                Map<String, Object> t = template(e, r);
                if (r.nextBoolean() || t.isEmpty()) {
                    yield new Body(kind, HostileServer.utf8(nested), json);
                }
                t.put(pick(r, new ArrayList<>(t.keySet())), new Raw(nested));
                yield new Body(kind, HostileServer.utf8(write(t)), json);
            }
            case WRONG_TYPES -> {
                Map<String, Object> t = template(e, r);
                List<String> keys = new ArrayList<>(t.keySet());
                keys.add("messages");
                keys.add("extendMs");
                for (int i = 0, n = 1 + r.nextInt(3); i < n; i++) {
                    t.put(pick(r, keys), randomJson(r, 3));
                }
                yield new Body(kind, HostileServer.utf8(r.nextInt(6) == 0 ? write(randomJson(r, 4)) : write(t)), json);
            }
            case HUGE_NUMBERS -> {
                Map<String, Object> t = template(e, r);
                for (String k : List.of("delayMs", "deliverAt", "extendMs", "repeatIntervalMs", "execTime", "repeatInterval")) {
                    if (t.containsKey(k) || r.nextInt(4) == 0) {
                        t.put(k, new Raw(hugeNumber(r)));
                    }
                }
                yield new Body(kind, HostileServer.utf8(write(t)), json);
            }
            case UNICODE -> {
                Map<String, Object> t = template(e, r);
                for (String k : List.of("topic", "key", "payload", "message", "messageId", "appKey")) {
                    if (t.containsKey(k) && r.nextBoolean()) {
                        t.put(k, r.nextInt(5) == 0 ? new Raw("\"\\ud800" + unicode(r, 5) + "\\udfff\"") : unicode(r, 1 + r.nextInt(300)));
                    }
                }
                if (t.containsKey("headers")) {
                    t.put("headers", Map.of(unicode(r, 1 + r.nextInt(20)), unicode(r, r.nextInt(50))));
                }
                String s = write(t);
                byte[] bytes = r.nextInt(5) == 0 ? s.getBytes(StandardCharsets.UTF_16) : HostileServer.utf8(s);
                yield new Body(kind, bytes, json);
            }
            case CONTROL_CHARS -> {
                Map<String, Object> t = template(e, r);
                String ctl = control(r);
                List<String> where = new ArrayList<>(List.of("key", "headerName", "headerValue", "topic", "payload"));
                switch (pick(r, where)) {
                    case "key" -> t.put("key", "k" + ctl + "k");
                    case "headerName" -> t.put("headers", Map.of("h" + ctl, "v"));
                    case "headerValue" -> t.put("headers", Map.of("h", "v" + ctl + "v"));
                    case "topic" -> t.put(e.seed() ? "topic" : "topic", "de" + ctl + "mo");
                    default -> t.put(e.seed() ? "message" : "payload", ctl);
                }
                String s = write(t);
                if (r.nextInt(3) == 0) { // raw, unescaped: not JSON any more
                    s = s.replace("\\u00", "").replace("k", "k" + (char) r.nextInt(0x20));
                }
                yield new Body(kind, HostileServer.utf8(s), json);
            }
            case NEAR_VALID -> {
                Map<String, Object> t = template(e, r);
                if (r.nextBoolean()) {
                    t.put("unknownField" + r.nextInt(3), randomJson(r, 2));
                }
                String s = write(t);
                if (r.nextInt(4) == 0 && s.length() > 2) { // a duplicate key
                    s = s.substring(0, s.length() - 1) + ",\"topic\":\"demo\"}";
                }
                yield new Body(kind, HostileServer.utf8(s), json);
            }
            case FORM -> new Body(kind, HostileServer.utf8(form(e, r)), "application/x-www-form-urlencoded");
            case EMPTY -> new Body(kind, new byte[0], json);
        };
    }

    /** A valid body of the endpoint (with random but legal values). */
    static Map<String, Object> template(Endpoint e, Random r) {
        Map<String, Object> m = new LinkedHashMap<>();
        switch (e) {
            case SUBMIT -> m.putAll(submit(r));
            case BATCH -> {
                List<Object> entries = new ArrayList<>();
                for (int i = 0, n = 1 + r.nextInt(5); i < n; i++) {
                    entries.add(submit(r));
                }
                m.put("messages", entries);
            }
            case RETIME -> {
                String field = pick(r, List.of("deliverAt", "delayMs", "extendMs"));
                m.put(field, field.equals("deliverAt") ? System.currentTimeMillis() + 3_600_000 : 1_000 + r.nextInt(100_000));
            }
            case GET, CANCEL -> {
                if (r.nextBoolean()) {
                    m.put("id", "x");
                }
            }
            case SEED_SEND -> {
                if (r.nextBoolean()) {
                    m.put("appKey", HostileServer.APP);
                }
                m.put("topic", "demo");
                m.put("message", "seed-" + r.nextInt(1000));
                m.put("execTime", System.currentTimeMillis() + 3_600_000L + r.nextInt(1_000_000));
                if (r.nextBoolean()) {
                    m.put("repeatInterval", 0);
                }
            }
            case SEED_CANCEL -> {
                if (r.nextBoolean()) {
                    m.put("appKey", HostileServer.APP);
                }
                m.put("topic", "demo");
                m.put("messageId", randomId(r));
            }
        }
        return m;
    }

    private static Map<String, Object> submit(Random r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("topic", "demo");
        if (r.nextBoolean()) {
            m.put("key", "k-" + r.nextInt(1000));
        }
        m.put("payload", "p-" + r.nextInt(1_000_000));
        if (r.nextBoolean()) {
            m.put("headers", Map.of("tenant", "t" + r.nextInt(10)));
        }
        m.put("delayMs", 3_600_000L + r.nextInt(1_000_000)); // never fires during the run
        return m;
    }

    private static String form(Endpoint e, Random r) {
        List<String> names = new ArrayList<>(List.of("appKey", "topic", "message", "execTime", "repeatInterval", "messageId"));
        StringBuilder s = new StringBuilder();
        for (int i = 0, n = r.nextInt(7); i < n; i++) {
            String value = switch (r.nextInt(6)) {
                case 0 -> hugeNumber(r);
                case 1 -> unicode(r, 1 + r.nextInt(40));
                case 2 -> "%zz%" + control(r);
                case 3 -> Long.toString(System.currentTimeMillis() + 3_600_000L);
                case 4 -> "demo";
                default -> "x".repeat(r.nextInt(3000));
            };
            s.append(i == 0 ? "" : r.nextInt(10) == 0 ? "&&=" : "&").append(pick(r, names)).append('=')
                    .append(r.nextInt(3) == 0 ? value : URLEncoder.encode(value, StandardCharsets.UTF_8));
        }
        return s.toString();
    }

    static Object randomJson(Random r, int depth) {
        int k = r.nextInt(depth <= 0 ? 6 : 8);
        return switch (k) {
            case 0 -> null;
            case 1 -> r.nextBoolean();
            case 2 -> new Raw(hugeNumber(r));
            case 3 -> unicode(r, r.nextInt(20));
            case 4 -> r.nextLong();
            case 5 -> r.nextDouble() * 1e20;
            case 6 -> {
                List<Object> l = new ArrayList<>();
                for (int i = 0, n = r.nextInt(4); i < n; i++) {
                    l.add(randomJson(r, depth - 1));
                }
                yield l;
            }
            default -> {
                Map<String, Object> m = new LinkedHashMap<>();
                for (int i = 0, n = r.nextInt(4); i < n; i++) {
                    m.put(pick(r, List.of("topic", "payload", "delayMs", "a", "", unicode(r, 3))), randomJson(r, depth - 1));
                }
                yield m;
            }
        };
    }

    static String hugeNumber(Random r) {
        return switch (r.nextInt(12)) {
            case 0 -> "9223372036854775807";
            case 1 -> "9223372036854775808";
            case 2 -> "-9223372036854775808";
            case 3 -> "-9223372036854775809";
            case 4 -> "1e400";
            case 5 -> "-1e-400";
            case 6 -> "1" + "0".repeat(50 + r.nextInt(5_000));
            case 7 -> "0." + "0".repeat(r.nextInt(2_000)) + "1";
            case 8 -> "1.5";
            case 9 -> "-0";
            case 10 -> Long.toString(Long.MAX_VALUE - r.nextInt(1_000_000));
            default -> Long.toString(Long.MIN_VALUE + r.nextInt(1_000_000));
        };
    }

    /** Random code points: astral, combining, right-to-left, BOM, non-characters; never a lone surrogate. */
    static String unicode(Random r, int length) {
        StringBuilder s = new StringBuilder();
        int[] specials = {0xFEFF, 0xFFFF, 0xFFFE, 0x202E, 0x0301, 0x1F4A9, 0x10FFFF, 0x200B, 0xE000, 0x00A0};
        for (int i = 0; i < length; i++) {
            int c = switch (r.nextInt(4)) {
                case 0 -> specials[r.nextInt(specials.length)];
                case 1 -> 0x20 + r.nextInt(0x60);
                case 2 -> 0x10000 + r.nextInt(0x10FFFF - 0x10000);
                default -> 0xA0 + r.nextInt(0xD800 - 0xA0);
            };
            s.appendCodePoint(c);
        }
        return s.toString();
    }

    /** One control character: below 0x20 (NUL, CR, LF included) or DEL. */
    static String control(Random r) {
        int c = r.nextInt(5) == 0 ? 0x7F : r.nextInt(0x20);
        return String.valueOf((char) c);
    }

    /** A random message id, percent-encoded as a path segment. */
    static Arbitrary<String> ids() {
        return Arbitraries.randomValue(HostileInputs::randomId).withoutEdgeCases();
    }

    static String randomId(Random r) {
        String raw = switch (r.nextInt(9)) {
            case 0 -> Long.toString(r.nextLong());
            case 1 -> "1" + "0".repeat(r.nextInt(60));
            case 2 -> unicode(r, 1 + r.nextInt(30));
            case 3 -> control(r) + "id" + control(r);
            case 4 -> "..x.";
            case 5 -> "x".repeat(200 + r.nextInt(1500));
            case 6 -> java.util.UUID.randomUUID().toString();
            case 7 -> "01J" + Long.toString(Math.abs(r.nextLong()), 36).toUpperCase();
            default -> {
                StringBuilder s = new StringBuilder();
                for (int i = 0, n = 1 + r.nextInt(40); i < n; i++) {
                    s.append((char) (0x21 + r.nextInt(0x5E)));
                }
                yield s.toString();
            }
        };
        return URLEncoder.encode(raw, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Writes a template as JSON (strings escaped by Jackson, {@link Raw} as is). */
    static String write(Object o) {
        if (o == null) {
            return "null";
        }
        if (o instanceof Raw raw) {
            return raw.json();
        }
        if (o instanceof Map<?, ?> m) {
            StringBuilder s = new StringBuilder("{");
            m.forEach((k, v) -> s.append(s.length() > 1 ? "," : "").append(write(String.valueOf(k))).append(':').append(write(v)));
            return s.append('}').toString();
        }
        if (o instanceof List<?> l) {
            StringBuilder s = new StringBuilder("[");
            l.forEach(v -> s.append(s.length() > 1 ? "," : "").append(write(v)));
            return s.append(']').toString();
        }
        if (o instanceof String str) {
            try {
                return RestClient.JSON.writeValueAsString(str);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        return String.valueOf(o);
    }

    static <T> T pick(Random r, List<T> list) {
        return list.get(r.nextInt(list.size()));
    }
}
