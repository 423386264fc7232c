package io.jkeras.ops;

import com.fasterxml.jackson.databind.JsonNode;
import io.jkeras.fixtures.FixtureCase;
import io.jkeras.layers.Layer;
import io.jkeras.model.Model;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Against the real-Keras cases in fixtures/keras3 (KerasFixturesTest checks their outputs, total and
 * per-layer counts and weight names): the trainable / non-trainable split of the summary equals
 * Keras', and every case using these layers is present and maps to the engine layer of that name.
 */
class OpsFixturesTest {
    private static final Set<String> OPS = Set.of("Conv1D", "BatchNormalization", "Reshape", "Permute", "Softmax",
            "Concatenate", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum");

    private static List<FixtureCase> opsCases() {
        return FixtureCase.all("keras3").stream().filter(c -> {
            for (JsonNode l : c.json().path("layers")) if (OPS.contains(l.path("class_name").asText())) return true;
            return false;
        }).toList();
    }

    @Test
    void fixturesCoverEveryLayerAndPadding() {
        List<String> names = opsCases().stream().map(FixtureCase::name).toList();
        assertThat(names).contains("conv1d_valid_lstm", "conv1d_same_relu_lstm", "conv1d_causal_lstm",
                "stack_lstm_batchnorm_dense", "stack_lstm_batchnorm_noscale", "stack_reshape_lstm",
                        "stack_permute_lstm",
                "stack_dense_softmax_layer", "merge_concatenate", "merge_elementwise");
    }

    @TestFactory
    Stream<DynamicTest> trainableSplitEqualsKeras() {
        return opsCases().stream().filter(c -> c.json().has("trainable_params") && !c.name().contains("embedding"))
                .map(c -> DynamicTest.dynamicTest(c.name(), () -> {
                    Model m = c.load();
                    long total = c.json().path("total_params").asLong();
                    long trainable = c.json().path("trainable_params").asLong();
                    assertThat(m.paramCount()).isEqualTo(total);
                    assertThat(m.nonTrainableParamCount()).as("non-trainable").isEqualTo(total - trainable);
                    assertThat(m.summary()).contains("Trainable params: " + trainable + "\n")
                            .contains("Non-trainable params: " + (total - trainable) + "\n");
                    for (JsonNode l : c.json().path("layers")) {
                        String cls = l.path("class_name").asText();
                        if (!OPS.contains(cls)) continue;
                        Layer layer = m.layers().stream().filter(x -> x.name().equals(l.path("name").asText()))
                                .findFirst().orElseThrow();
                        assertThat(layer.typeName()).as(layer.name()).isEqualTo(cls);
                    }
                }));
    }

    @Test
    void batchNormalizationCasesHaveNonTrainableStatistics() {
        long withBn = opsCases().stream().filter(c -> c.name().contains("batchnorm")).peek(c -> {
            long total = c.json().path("total_params").asLong(), trainable = c.json().path("trainable_params").asLong();
            assertThat(total - trainable).as(c.name() + " Keras' own non-trainable count").isPositive();
        }).count();
        assertThat(withBn).isGreaterThanOrEqualTo(2);
    }
}
