/**
 * The one idiom for threads and life cycles in Hourglass: named daemon threads ({@link NamedThreads}), loop rounds
 * that log and count their failures and carry on ({@link Guarded}, {@link LoopErrors}), a component's life
 * ({@link Lifecycle}), and how the engine runs its loops ({@link Loops}): on threads in a server
 * ({@link ThreadLoops}), or stepped by hand against a manual clock in a test ({@link ManualLoops}).
 */
package io.hourglass.core.concurrent;
