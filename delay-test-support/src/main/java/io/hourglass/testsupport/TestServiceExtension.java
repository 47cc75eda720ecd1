package io.hourglass.testsupport;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

import java.lang.reflect.AnnotatedElement;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The one rule for tests on real servers ({@link RequiresService}): every server named there must have its variable
 * set ({@link TestService#available()}). A missing one fails the class (or method) before it runs, with how to start
 * it; with {@code HOURGLASS_SKIP_SERVICES=1} the class (or method) is skipped instead, and the report says why.
 */
public final class TestServiceExtension implements ExecutionCondition, BeforeAllCallback, BeforeEachCallback {

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        List<TestService> missing = missing(context.getElement());
        if (!missing.isEmpty() && TestService.skipMissing()) {
            return ConditionEvaluationResult.disabled(missing.get(0).missingMessage());
        }
        return ConditionEvaluationResult.enabled("its servers are set, or it fails saying which is not");
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        failIfMissing(context.getElement());
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        failIfMissing(context.getElement());
    }

    private static void failIfMissing(Optional<AnnotatedElement> element) {
        List<TestService> missing = missing(element);
        if (!missing.isEmpty()) {
            throw new IllegalStateException(missing.get(0).missingMessage());
        }
    }

    private static List<TestService> missing(Optional<AnnotatedElement> element) {
        return AnnotationSupport.findAnnotation(element, RequiresService.class)
                .map(r -> Stream.of(r.value()).filter(s -> !s.available()).toList())
                .orElse(List.of());
    }
}
