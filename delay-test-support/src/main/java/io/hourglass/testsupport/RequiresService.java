package io.hourglass.testsupport;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The annotated test class (or method) runs against these real servers ({@link TestService}); without one, it fails
 * and says how to start it, or is skipped with {@code HOURGLASS_SKIP_SERVICES=1} ({@link TestServiceExtension}).
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(TestServiceExtension.class)
public @interface RequiresService {
    TestService[] value();
}
