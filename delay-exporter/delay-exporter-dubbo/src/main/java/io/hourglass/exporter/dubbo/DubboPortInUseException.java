package io.hourglass.exporter.dubbo;

/**
 * The Triple server could not bind its port. Reported at start-up by {@link DubboPortInUseFailureAnalyzer} with
 * the keys to change.
 */
public final class DubboPortInUseException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final int port;

    DubboPortInUseException(int port, Throwable cause) {
        super("Port " + port + " of the Dubbo Triple (gRPC) exporter is already in use; set "
                + DubboExporterProperties.PREFIX + ".port to a free port or " + DubboExporterProperties.PREFIX
                + ".enabled=false", cause);
        this.port = port;
    }

    /** The port that was taken. */
    public int port() {
        return port;
    }
}
