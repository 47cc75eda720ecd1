package io.hourglass.protocol.tck;

/**
 * What stands between one server under test and the coordination service, so that the contract can break and mend
 * that server's connection alone: a {@link TcpProxy} for a real service, a switch in the fake for an in-memory one.
 */
public interface ServiceLink extends AutoCloseable {

    /** What the server connects to instead of the service. */
    String hostPort();

    /** The server hangs: nothing reaches the service or comes back, nothing is refused, no renewal gets through. */
    void freeze();

    /** The connections are reset and new ones refused until {@link #restore()}. */
    void cut();

    /** Traffic passes again; the server reconnects after a cut. */
    void restore();

    @Override
    void close();
}
