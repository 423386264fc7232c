package io.jkeras.model;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LoadOptionsBuilderTest {

    /** Every limit's builder setter, by option name, called with a given value. */
    private static Map<String, BiConsumer<LoadOptions.Builder, Long>> limitSetters() {
        Map<String, BiConsumer<LoadOptions.Builder, Long>> m = new LinkedHashMap<>();
        m.put("maxWeightElements", (b, v) -> b.maxWeightElements(v));
        m.put("maxStreamBytes", (b, v) -> b.maxStreamBytes(v));
        m.put("maxArchiveEntries", (b, v) -> b.maxArchiveEntries(v.intValue()));
        m.put("maxArchiveBytes", (b, v) -> b.maxArchiveBytes(v));
        m.put("maxCompressionRatio", (b, v) -> b.maxCompressionRatio(v.intValue()));
        m.put("maxConfigBytes", (b, v) -> b.maxConfigBytes(v));
        m.put("maxJsonTokens", (b, v) -> b.maxJsonTokens(v));
        m.put("maxJsonDepth", (b, v) -> b.maxJsonDepth(v.intValue()));
        m.put("maxLayers", (b, v) -> b.maxLayers(v.intValue()));
        m.put("maxInputElements", (b, v) -> b.maxInputElements(v));
        m.put("maxDimension", (b, v) -> b.maxDimension(v.intValue()));
        m.put("maxActivationElements", (b, v) -> b.maxActivationElements(v));
        return m;
    }

    @Test
    void builderStartsFromTheDefaults() {
        assertThat(LoadOptions.builder().build()).isEqualTo(LoadOptions.DEFAULT);
        assertThat(LoadOptions.DEFAULT.maxLayers()).isEqualTo(LoadOptions.DEFAULT_MAX_LAYERS);
        assertThat(LoadOptions.DEFAULT.allowNonFiniteWeights()).isFalse();
    }

    @Test
    void builderChangesOnlyTheValuesItIsGiven() {
        LoadOptions o = LoadOptions.builder().maxLayers(50_000).allowNonFiniteWeights(true).build();
        assertThat(o.maxLayers()).isEqualTo(50_000);
        assertThat(o.allowNonFiniteWeights()).isTrue();
        assertThat(o.maxStreamBytes()).isEqualTo(LoadOptions.DEFAULT_MAX_STREAM_BYTES);
        assertThat(o.maxJsonDepth()).isEqualTo(LoadOptions.DEFAULT_MAX_JSON_DEPTH);
        assertThat(o.maxActivationElements()).isEqualTo(LoadOptions.DEFAULT_MAX_ACTIVATION_ELEMENTS);
    }

    @Test
    void toBuilderKeepsEveryValueAndLeavesTheOriginalUnchanged() {
        LoadOptions o = LoadOptions.builder().maxLayers(7).maxDimension(9).maxStreamBytes(11)
                .allowNonFiniteWeights(true).build();
        assertThat(o.toBuilder().build()).isEqualTo(o);
        LoadOptions p = o.toBuilder().maxJsonTokens(13).build();
        assertThat(p.maxJsonTokens()).isEqualTo(13);
        assertThat(p.maxLayers()).isEqualTo(7);
        assertThat(p.maxDimension()).isEqualTo(9);
        assertThat(p.maxStreamBytes()).isEqualTo(11);
        assertThat(p.allowNonFiniteWeights()).isTrue();
        assertThat(o.maxJsonTokens()).isEqualTo(LoadOptions.DEFAULT_MAX_JSON_TOKENS);
    }

    @Test
    void everyBuilderSetterRefusesALimitThatIsNotPositiveNamingTheOption() {
        limitSetters().forEach((name, setter) -> {
            for (long bad : new long[]{0, -1}) {
                LoadOptions.Builder b = LoadOptions.builder();
                assertThatThrownBy(() -> setter.accept(b, bad))
                        .as(name + " = " + bad)
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("LoadOptions." + name)
                        .hasMessageContaining(Long.toString(bad));
            }
            LoadOptions.Builder b = LoadOptions.builder();
            setter.accept(b, 3L);
            assertThat(b.build()).as(name).isNotEqualTo(LoadOptions.DEFAULT);
        });
    }

    @Test
    void withMethodsGiveTheSameOptionsAsTheBuilder() {
        LoadOptions d = LoadOptions.DEFAULT;
        assertThat(d.withMaxLayers(5)).isEqualTo(LoadOptions.builder().maxLayers(5).build());
        assertThat(d.withAllowNonFiniteWeights(true))
                .isEqualTo(LoadOptions.builder().allowNonFiniteWeights(true).build());
        assertThat(d.withMaxStreamBytes(5).withMaxJsonDepth(6))
                .isEqualTo(LoadOptions.builder().maxStreamBytes(5).maxJsonDepth(6).build());
        assertThat(d.withMaxWeightElements(1).withMaxArchiveEntries(2).withMaxArchiveBytes(3)
                .withMaxCompressionRatio(4).withMaxConfigBytes(5).withMaxJsonTokens(6).withMaxInputElements(7)
                .withMaxDimension(8).withMaxActivationElements(9))
                .isEqualTo(LoadOptions.builder().maxWeightElements(1).maxArchiveEntries(2).maxArchiveBytes(3)
                        .maxCompressionRatio(4).maxConfigBytes(5).maxJsonTokens(6).maxInputElements(7)
                        .maxDimension(8).maxActivationElements(9).build());
    }

    @Test
    void withMethodsRefuseALimitThatIsNotPositiveNamingTheOption() {
        assertThatThrownBy(() -> LoadOptions.DEFAULT.withMaxLayers(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("LoadOptions.maxLayers");
        assertThatThrownBy(() -> LoadOptions.DEFAULT.withMaxStreamBytes(-5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("LoadOptions.maxStreamBytes").hasMessageContaining("-5");
    }

    @Test
    void constructorNamesTheLimitThatIsNotPositive() {
        assertThatThrownBy(() -> new LoadOptions(false, 1, 1, 1, 0, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("LoadOptions.maxArchiveBytes");
    }
}
