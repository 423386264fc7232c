package io.jkeras.format;

import io.jkeras.util.Sha256;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jkeras.JKeras;
import io.jkeras.fixtures.FixtureCase;
import io.jkeras.golden.GoldenCase;
import io.jkeras.model.Model;
import io.jkeras.testing.JKerasAssertions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The frozen files of every released native format version (fixtures/native/vX.Y) still load:
 * same layers and weights as their source model bit for bit, the same predictions bit for bit,
 * Keras' outputs within tolerance, the recorded provenance; embedded checks pass.
 */
class NativeBackCompatTest {
    static List<Path> versions() throws IOException {
        try (Stream<Path> s = Files.list(FixtureCase.root().resolve("native"))) {
            return s.filter(p -> Files.isRegularFile(p.resolve("manifest.json"))).sorted().toList();
        }
    }

    @TestFactory
    Stream<DynamicTest> frozenFilesLoadAndMatchTheirSources() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path v : versions()) {
            JsonNode manifest = new ObjectMapper().readTree(v.resolve("manifest.json").toFile());
            for (JsonNode e : manifest.get("files")) {
                Path file = v.resolve(e.get("file").asText());
                tests.add(DynamicTest.dynamicTest(v.getFileName() + "/" + file.getFileName(), () -> {
                    Path source = FixtureCase.root().resolve(e.get("source").asText());
                    Path golden = FixtureCase.root().resolve(e.get("golden").asText());
                    Model nat = Jkm.load(file); // runs any embedded check
                    Model src = JKeras.load(source);
                    JkmRoundTripTest.assertSameModel(src, nat, file.toString(), false);
                    GoldenCase g = GoldenCase.open(golden);
                    JKerasAssertions.assertThat(nat).on(g).matchesCaseTolerance();
                    assertThat(nat.metadata()).containsEntry("source_sha256", e.get("source_sha256").asText())
                            .containsEntry("source_sha256", Sha256.of(source))
                            .containsEntry("jkm_version", manifest.get("format_version").asText());
                    // predictions bit for bit: run the golden inputs through both
                    var outs = io.jkeras.golden.GoldenRunner.runDetailed(nat, g, io.jkeras.golden.Tolerance.MAX, 0);
                    var ref = io.jkeras.golden.GoldenRunner.runDetailed(src, g, io.jkeras.golden.Tolerance.MAX, 0);
                    for (int i = 0; i < outs.size(); i++) {
                        assertThat(JkmRoundTripTest.bits(outs.get(i).got().data())).as(file + " output " + i)
                                .containsExactly(JkmRoundTripTest.bits(ref.get(i).got().data()));
                    }
                }));
            }
        }
        return tests.stream();
    }

    /** The layer types format 2.1 added (convolution, pooling, ConvLSTM, normalization, attention layers). */
    private static final Set<String> ADDED_IN_2_1 = Set.of("Conv", "ConvTranspose", "DepthwiseConv", "SeparableConv",
            "Pooling", "GlobalPooling", "SpatialResize", "ConvLstm", "LayerNormalization", "UnitNormalization",
            "GroupNormalization", "Attention", "MultiHeadAttention", "Dot", "CustomLayer");

    /** Whether the frozen directory {@code v} ({@code v<major>.<minor>}) holds a version before major.minor. */
    private static boolean olderThan(Path v, int major, int minor) {
        String[] mm = v.getFileName().toString().substring(1).split("\\.");
        int ma = Integer.parseInt(mm[0]), mi = Integer.parseInt(mm[1]);
        return ma < major || ma == major && mi < minor;
    }

    @TestFactory
    Stream<DynamicTest> everyVersionCoversEveryCodecThatKerasFilesUse() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path v : versions()) {
            tests.add(DynamicTest.dynamicTest(v.getFileName().toString(), () -> {
                Set<String> types = new TreeSet<>();
                try (var files = Files.newDirectoryStream(v, "*.jkm")) {
                    for (Path f : files) collect(JkmFiles.header(Files.readAllBytes(f)), types);
                }
                List<String> expected = new ArrayList<>(io.jkeras.layers.LayerTypes.all());
                // no Keras 3 file holds one; see JkmRoundTripTest.cudnnLayersRoundTrip
                expected.remove("CudnnRecurrent");
                // a version before 2.1 cannot hold the types 2.1 added
                if (olderThan(v, 2, 1)) expected.removeAll(ADDED_IN_2_1);
                // its decode needs the user's implementation; see CustomLayersFixturesTest for its round trip
                expected.remove("CustomLayer");
                assertThat(types).containsAll(expected);
            }));
        }
        return tests.stream();
    }

    @Test
    void everyReleasedVersionIsPresent() throws IOException {
        // 1.0: tensors in Keras' layout; 2.0: recurrent tensors in the engine's GatePanel layout; 2.1: issue 14's
        // layer types
        assertThat(versions()).extracting(p -> p.getFileName().toString())
                .contains("v1.0", "v2.0", "v2.1", "v" + Jkm.MAJOR + "." + Jkm.MINOR);
    }

    @Test
    void version20StoresRecurrentTensorsInThePanelLayoutAndVersion10InKeras() throws IOException {
        Path v1 = FixtureCase.root().resolve("native/v1.0/masking_bidir_gru.jkm"), v2 = FixtureCase.root()
                .resolve("native/v2.0/masking_bidir_gru.jkm");
        assertThat(JkmFiles.header(Files.readAllBytes(v1)).get("gate_layout").get("tensors").asText())
                .isEqualTo("keras");
        JsonNode h2 = JkmFiles.header(Files.readAllBytes(v2));
        assertThat(h2.get("gate_layout").get("tensors").asText()).isEqualTo("panel");
        assertThat(h2.get("gate_layout").get("block").asInt()).isEqualTo(io.jkeras.layers.GatePanel.BLOCK);
        // the same weights, bit for bit, through both layouts
        JkmRoundTripTest.assertSameModel(Jkm.load(v1), Jkm.load(v2), v2.toString(), false);
    }

    private static void collect(JsonNode n, Set<String> out) {
        if (n.isObject() && n.has("type") && n.has("config") && n.get("type").isTextual()) out.add(n.get("type")
                .asText());
        n.forEach(x -> collect(x, out));
    }
}
