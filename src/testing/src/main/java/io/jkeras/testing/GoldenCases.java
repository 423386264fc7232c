package io.jkeras.testing;

import org.junit.jupiter.params.provider.ArgumentsSource;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Supplies a {@code @ParameterizedTest} with every golden case under a directory, as
 * {@link io.jkeras.golden.GoldenCase} arguments sorted by name: the directory itself when it is a
 * case (holds {@code x0.npy} and {@code y0.npy}), else each sub-directory that is one. A relative
 * path is resolved against the working directory (the project directory under Maven and Gradle).
 *
 * <pre>{@code
 * @ParameterizedTest(name = "{0}")
 * @GoldenCases("src/test/golden")
 * void matches(GoldenCase c) { assertThat(c.loadModel()).on(c).matchesCaseTolerance(); }
 * }</pre>
 */
@Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ArgumentsSource(GoldenCasesProvider.class)
public @interface GoldenCases {
    /** The directory holding the cases (or a single case). */
    String value();

    /** Only cases that hold their model ({@code model.jkm}, {@code model.h5}, {@code model.keras}, …). */
    boolean requireModel() default false;

    /** Case names (directory names) to leave out. */
    String[] exclude() default {};
}
