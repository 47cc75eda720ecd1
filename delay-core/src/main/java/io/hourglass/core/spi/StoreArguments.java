package io.hourglass.core.spi;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/** How every {@link MessageStore} prepares the arguments of a change, so that all stores keep and lock alike. */
public final class StoreArguments {

    /** Characters of an emit error a store keeps with a message ({@code last_error}). */
    public static final int MAX_ERROR_CHARS = 1024;

    private StoreArguments() {
    }

    /** The ids without nulls and repeats, ascending: one lock/transaction order for every caller, no deadlock. */
    public static List<Long> sortedDistinct(Collection<Long> ids) {
        List<Long> sorted = new ArrayList<>(new LinkedHashSet<>(ids));
        sorted.removeIf(Objects::isNull);
        sorted.sort(null);
        return sorted;
    }

    /** The error cut to {@link #MAX_ERROR_CHARS}, never between the two halves of a surrogate pair. */
    public static String keptError(String error) {
        return cut(error, MAX_ERROR_CHARS);
    }

    /** {@code text} (null stays null) cut to at most {@code max} characters, never inside a surrogate pair. */
    public static String cut(String text, int max) {
        if (text == null || text.length() <= max) {
            return text;
        }
        return text.substring(0, Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max);
    }
}
