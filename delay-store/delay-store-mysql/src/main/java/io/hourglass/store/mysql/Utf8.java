package io.hourglass.store.mysql;

/** UTF-8 lengths, without encoding the string. */
final class Utf8 {

    private Utf8() {
    }

    /** Bytes of {@code s} in UTF-8 (0 for {@code null}). */
    static long length(String s) {
        if (s == null) {
            return 0;
        }
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c)) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }
}
