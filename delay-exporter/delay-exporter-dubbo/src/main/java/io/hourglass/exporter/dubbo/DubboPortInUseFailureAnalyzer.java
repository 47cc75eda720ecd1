package io.hourglass.exporter.dubbo;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns a taken Triple port into Spring Boot's "APPLICATION FAILED TO START" report, naming the keys. */
final class DubboPortInUseFailureAnalyzer extends AbstractFailureAnalyzer<DubboPortInUseException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, DubboPortInUseException cause) {
        String key = DubboExporterProperties.PREFIX;
        return new FailureAnalysis(
                "The Dubbo Triple (gRPC) exporter could not listen on port " + cause.port() + " (" + key
                        + ".port): another process uses it.",
                "Stop the process that uses port " + cause.port() + ", or set " + key + ".port to a free port"
                        + " (for example --" + key + ".port=50052), or turn the RPC API off with --" + key
                        + ".enabled=false.",
                cause);
    }
}
