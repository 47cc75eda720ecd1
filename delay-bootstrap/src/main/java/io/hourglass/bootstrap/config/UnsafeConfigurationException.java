package io.hourglass.bootstrap.config;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * The server refuses to start because its configuration would expose something (docs/security.md). The
 * message names the key at fault and never carries a secret's value; {@link Analyzer} prints it as Spring Boot's
 * "APPLICATION FAILED TO START" report, without a stack trace.
 */
public final class UnsafeConfigurationException extends IllegalStateException {

    private final String description;
    private final String action;

    /**
     * @param description what is wrong, naming the key
     * @param action      what to change
     */
    public UnsafeConfigurationException(String description, String action) {
        super(description + ". " + action);
        this.description = description;
        this.action = action;
    }

    public String description() {
        return description;
    }

    public String action() {
        return action;
    }

    /** Registered in META-INF/spring.factories. */
    static final class Analyzer extends AbstractFailureAnalyzer<UnsafeConfigurationException> {
        @Override
        protected FailureAnalysis analyze(Throwable rootFailure, UnsafeConfigurationException cause) {
            return new FailureAnalysis(cause.description(), cause.action(), cause);
        }
    }
}
