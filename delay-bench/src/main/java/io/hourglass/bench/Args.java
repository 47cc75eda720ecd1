package io.hourglass.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Command-line options of the form {@code --name value}, {@code --name=value} or a bare {@code --flag}.
 * Only the names given to {@link #parse} are accepted; anything else is a {@link UsageException} that names it.
 */
final class Args {

    private final Map<String, String> values;

    private Args(Map<String, String> values) {
        this.values = values;
    }

    /**
     * @param valued names (without {@code --}) that take a value
     * @param flags  names that take none
     */
    static Args parse(String[] argv, Set<String> valued, Set<String> flags) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < argv.length; i++) {
            String arg = argv[i];
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new UsageException("unexpected argument '" + arg + "' (options look like --name value)");
            }
            String name = arg.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (flags.contains(name)) {
                if (value != null) {
                    throw new UsageException("--" + name + " takes no value");
                }
                value = "true";
            } else if (valued.contains(name)) {
                if (value == null) {
                    if (i + 1 >= argv.length || argv[i + 1].startsWith("--")) {
                        throw new UsageException("--" + name + " needs a value");
                    }
                    value = argv[++i];
                }
            } else {
                throw new UsageException("unknown option --" + name);
            }
            if (values.put(name, value) != null) {
                throw new UsageException("--" + name + " given twice");
            }
        }
        return new Args(values);
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    boolean flag(String name) {
        return values.containsKey(name);
    }

    String string(String name, String fallback) {
        String v = values.get(name);
        return v == null ? fallback : v;
    }

    /** A value from {@code choices} (case-sensitive). */
    String choice(String name, String fallback, List<String> choices) {
        String v = string(name, fallback);
        if (!choices.contains(v)) {
            throw new UsageException("--" + name + " must be one of " + String.join("|", choices) + ", got '" + v + "'");
        }
        return v;
    }

    /** A long in {@code [min, max]}; accepts {@code _} separators and k/m suffixes (1k = 1000, 1m = 1000000). */
    long longValue(String name, long fallback, long min, long max) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        long parsed;
        try {
            parsed = parseCount(v);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be a whole number, got '" + v + "'");
        }
        if (parsed < min || parsed > max) {
            throw new UsageException("--" + name + " must be between " + min + " and " + max + ", got " + parsed);
        }
        return parsed;
    }

    int intValue(String name, int fallback, int min, int max) {
        return (int) longValue(name, fallback, min, max);
    }

    static long parseCount(String text) {
        String t = text.trim().replace("_", "").toLowerCase();
        long factor = 1;
        if (t.endsWith("k")) {
            factor = 1_000;
            t = t.substring(0, t.length() - 1);
        } else if (t.endsWith("m")) {
            factor = 1_000_000;
            t = t.substring(0, t.length() - 1);
        }
        return Math.multiplyExact(Long.parseLong(t), factor);
    }

    /** A wrong command line: the message says what and is meant for the user as is. */
    static final class UsageException extends IllegalArgumentException {
        UsageException(String message) {
            super(message);
        }
    }
}
