package io.hourglass.core.model;

/**
 * What the preloader needs of a message: its id and when to fire it. The payload is read back at claim time.
 */
public record DueEntry(long id, long fireAt) {
}
