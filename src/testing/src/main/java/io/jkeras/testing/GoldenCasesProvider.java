package io.jkeras.testing;

import io.jkeras.golden.GoldenCase;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.ArgumentsProvider;
import org.junit.jupiter.params.support.AnnotationConsumer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** The provider behind {@link GoldenCases}. */
public final class GoldenCasesProvider implements ArgumentsProvider, AnnotationConsumer<GoldenCases> {
    private GoldenCases annotation;

    @Override
    public void accept(GoldenCases a) { this.annotation = a; }

    @Override
    public Stream<? extends Arguments> provideArguments(ExtensionContext context) {
        Path dir;
        try {
            dir = Path.of(annotation.value());
        } catch (java.nio.file.InvalidPathException e) {
            throw new io.jkeras.exceptions.InputException(null, null, null, io.jkeras.text.PathNames.unencodable(e), e);
        }
        return find(dir, annotation.requireModel(), Set.of(annotation.exclude())).stream().map(Arguments::of);
    }

    /** The golden cases under {@code dir} as {@link GoldenCases} selects them. */
    public static List<GoldenCase> find(Path dir, boolean requireModel, Set<String> exclude) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("@GoldenCases: " + dir.toAbsolutePath() + " is not a directory");
        }
        List<GoldenCase> out = new ArrayList<>();
        if (isCase(dir)) {
            out.add(GoldenCase.open(dir));
        } else {
            try (Stream<Path> s = Files.list(dir)) {
                for (Path d : s.filter(GoldenCasesProvider::isCase).sorted().toList()) {
                    if (!exclude.contains(d.getFileName().toString())) out.add(GoldenCase.open(d));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (requireModel) out.removeIf(c -> c.modelFile().isEmpty());
        if (out.isEmpty()) throw new IllegalArgumentException(
                "@GoldenCases: no golden case (a directory with x0.npy and y0.npy) under " + dir.toAbsolutePath());
        return out;
    }

    private static boolean isCase(Path d) {
        return Files.isDirectory(d) && Files.isRegularFile(d.resolve("x0.npy"))
                && Files.isRegularFile(d.resolve("y0.npy"));
    }
}
